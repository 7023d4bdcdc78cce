/* iSCSI text keys: the "key=value\0" lists carried in Login and Text PDUs
 * (RFC 7143 section 6).  Pure functions over byte buffers. */
#ifndef LUNA_ISCSI_KEYS_H
#define LUNA_ISCSI_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ISCSI_KEY_NAME_MAX 63
#define ISCSI_KEY_VALUE_MAX 8192 /* large-binary values (CHAP) may exceed 255 */
#define ISCSI_KEYS_MAX 64	 /* pairs in one negotiation round */
#define ISCSI_TEXT_MAX 65536	 /* a whole (possibly continued) key list */

struct iscsi_kv {
	const char *key;
	const char *value;
};

/* A parsed key list.  key/value point into `buf`, which the list owns. */
struct iscsi_keys {
	unsigned count;
	struct iscsi_kv kv[ISCSI_KEYS_MAX];
	char *buf;
};

/* Parse a data segment of `len` bytes.  Returns 0, or -1 with *why set
 * when the text is malformed (a pair without '=', an empty or too long key,
 * a key with characters RFC 7143 6.1 does not allow, a value too long, a
 * key given twice, too many keys).  A missing final NUL is tolerated. */
int iscsi_keys_parse(struct iscsi_keys *keys, const uint8_t *data, size_t len, const char **why);
void iscsi_keys_free(struct iscsi_keys *keys);

/* The value of key, or NULL. */
const char *iscsi_keys_get(const struct iscsi_keys *keys, const char *key);

/* An output key list being built. */
struct iscsi_text_buf {
	char *data;
	size_t len;
	size_t cap;
	bool overflow; /* a pair did not fit under ISCSI_TEXT_MAX */
};

void iscsi_text_init(struct iscsi_text_buf *t);
void iscsi_text_free(struct iscsi_text_buf *t);
/* Append "key=value\0". */
void iscsi_text_add(struct iscsi_text_buf *t, const char *key, const char *value);
void iscsi_text_addf(struct iscsi_text_buf *t, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
