#include "iscsi/keys.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* RFC 7143 6.1: key names are made of letters, digits, '.', '-', '+', '@', '_'. */
static bool key_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '+' || c == '@' || c == '_';
}

static bool key_name_ok(const char *k, size_t n)
{
	if (n == 0 || n > ISCSI_KEY_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!key_char_ok(k[i]))
			return false;
	return true;
}

static int add_pair(struct iscsi_keys *keys, char *pair, const char **why)
{
	char *eq = strchr(pair, '=');
	size_t vlen;

	if (eq == NULL) {
		*why = "a key without '=value'";
		return -1;
	}
	if (!key_name_ok(pair, (size_t)(eq - pair))) {
		*why = "a key name that is empty, too long or has characters RFC 7143 does not allow";
		return -1;
	}
	vlen = strlen(eq + 1);
	if (vlen > ISCSI_KEY_VALUE_MAX) {
		*why = "a value longer than 8192 bytes";
		return -1;
	}
	*eq = '\0';
	if (iscsi_keys_get(keys, pair) != NULL) {
		*why = "the same key twice";
		return -1;
	}
	if (keys->count == ISCSI_KEYS_MAX) {
		*why = "more keys than a negotiation needs";
		return -1;
	}
	keys->kv[keys->count].key = pair;
	keys->kv[keys->count].value = eq + 1;
	keys->count++;
	return 0;
}

int iscsi_keys_parse(struct iscsi_keys *keys, const uint8_t *data, size_t len, const char **why)
{
	size_t pos = 0;

	memset(keys, 0, sizeof(*keys));
	*why = NULL;
	if (len > ISCSI_TEXT_MAX) {
		*why = "key list longer than 64 KiB";
		return -1;
	}
	keys->buf = xmalloc(len + 1);
	memcpy(keys->buf, data, len);
	keys->buf[len] = '\0';
	/* Trailing padding NULs end the list. */
	while (pos < len) {
		char *pair = keys->buf + pos;
		size_t plen = strlen(pair);

		if (plen == 0) {
			/* NUL padding may only follow the last pair */
			while (pos < len && keys->buf[pos] == '\0')
				pos++;
			if (pos < len) {
				*why = "an empty key=value pair";
				goto fail;
			}
			break;
		}
		if (add_pair(keys, pair, why) < 0)
			goto fail;
		pos += plen + 1;
	}
	return 0;
fail:
	iscsi_keys_free(keys);
	return -1;
}

void iscsi_keys_free(struct iscsi_keys *keys)
{
	free(keys->buf);
	memset(keys, 0, sizeof(*keys));
}

const char *iscsi_keys_get(const struct iscsi_keys *keys, const char *key)
{
	for (unsigned i = 0; i < keys->count; i++)
		if (strcmp(keys->kv[i].key, key) == 0)
			return keys->kv[i].value;
	return NULL;
}

void iscsi_text_init(struct iscsi_text_buf *t)
{
	memset(t, 0, sizeof(*t));
}

void iscsi_text_free(struct iscsi_text_buf *t)
{
	free(t->data);
	memset(t, 0, sizeof(*t));
}

void iscsi_text_add(struct iscsi_text_buf *t, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value);
	size_t need = kl + 1 + vl + 1;

	if (t->len + need > ISCSI_TEXT_MAX) {
		t->overflow = true;
		return;
	}
	if (t->len + need > t->cap) {
		size_t cap = t->cap ? t->cap : 512;
		while (cap < t->len + need)
			cap *= 2;
		char *n = realloc(t->data, cap);
		if (n == NULL) {
			t->overflow = true;
			return;
		}
		t->data = n;
		t->cap = cap;
	}
	memcpy(t->data + t->len, key, kl);
	t->data[t->len + kl] = '=';
	memcpy(t->data + t->len + kl + 1, value, vl);
	t->data[t->len + need - 1] = '\0';
	t->len += need;
}

void iscsi_text_addf(struct iscsi_text_buf *t, const char *key, const char *fmt, ...)
{
	char value[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	iscsi_text_add(t, key, value);
}
