/* CHAP arithmetic for iSCSI (RFC 7143 section 12.1.3, RFC 1994): digest
 * algorithms (CHAP_A 5 MD5, 6 SHA-1, 7 SHA-256, 8 SHA3-256), responses,
 * challenges, and the hex/base64 encodings of binary key values.  Pure
 * apart from chap_random(); used by the target's login and the initiator. */
#ifndef LUNA_ISCSI_CHAP_H
#define LUNA_ISCSI_CHAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum chap_alg {
	CHAP_ALG_MD5 = 5,
	CHAP_ALG_SHA1 = 6,
	CHAP_ALG_SHA256 = 7,
	CHAP_ALG_SHA3_256 = 8,
};

#define CHAP_MAX_DIGEST 32
#define CHAP_MAX_SECRET 256
#define CHAP_MAX_CHALLENGE 1024

/* Is a CHAP_A value one we implement? */
bool chap_alg_supported(int alg);
/* Digest length in bytes (16, 20 or 32), 0 if unknown. */
size_t chap_digest_len(int alg);
const char *chap_alg_name(int alg);

/* response = H(id || secret || challenge).  out must hold
 * CHAP_MAX_DIGEST bytes.  Returns the digest length, or -1. */
int chap_response(int alg, uint8_t id, const void *secret, size_t secret_len,
		  const uint8_t *challenge, size_t challenge_len, uint8_t *out);

/* Compare two digests in constant time. */
bool chap_equal(const uint8_t *a, const uint8_t *b, size_t len);

/* Decode a binary value "0x..." (hex) or "0b..." (base64).  Returns 0, or
 * -1 when malformed or longer than outcap. */
int chap_decode(const char *s, uint8_t *out, size_t outcap, size_t *outlen);
/* Encode as "0x" + lowercase hex.  outcap must hold 2 + 2*len + 1. */
void chap_encode_hex(const uint8_t *in, size_t len, char *out, size_t outcap);

/* Fill buf with random bytes from getrandom(2).  Returns 0 or -1. */
int chap_random(void *buf, size_t len);

#endif
