#include "iscsi/chap.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/random.h>

static const EVP_MD *alg_md(int alg)
{
	switch (alg) {
	case CHAP_ALG_MD5:
		return EVP_md5();
	case CHAP_ALG_SHA1:
		return EVP_sha1();
	case CHAP_ALG_SHA256:
		return EVP_sha256();
	case CHAP_ALG_SHA3_256:
		return EVP_sha3_256();
	default:
		return NULL;
	}
}

bool chap_alg_supported(int alg)
{
	return alg_md(alg) != NULL;
}

size_t chap_digest_len(int alg)
{
	switch (alg) {
	case CHAP_ALG_MD5:
		return 16;
	case CHAP_ALG_SHA1:
		return 20;
	case CHAP_ALG_SHA256:
	case CHAP_ALG_SHA3_256:
		return 32;
	default:
		return 0;
	}
}

const char *chap_alg_name(int alg)
{
	switch (alg) {
	case CHAP_ALG_MD5:
		return "MD5";
	case CHAP_ALG_SHA1:
		return "SHA-1";
	case CHAP_ALG_SHA256:
		return "SHA-256";
	case CHAP_ALG_SHA3_256:
		return "SHA3-256";
	default:
		return "unknown";
	}
}

int chap_response(int alg, uint8_t id, const void *secret, size_t secret_len,
		  const uint8_t *challenge, size_t challenge_len, uint8_t *out)
{
	const EVP_MD *md = alg_md(alg);
	EVP_MD_CTX *ctx;
	unsigned int len = 0;
	int ok;

	if (md == NULL)
		return -1;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, &id, 1) &&
	     EVP_DigestUpdate(ctx, secret, secret_len) &&
	     EVP_DigestUpdate(ctx, challenge, challenge_len) && EVP_DigestFinal_ex(ctx, out, &len);
	EVP_MD_CTX_free(ctx);
	return ok && len <= CHAP_MAX_DIGEST ? (int)len : -1;
}

bool chap_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= (uint8_t)(a[i] ^ b[i]);
	return diff == 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int decode_hex(const char *s, uint8_t *out, size_t outcap, size_t *outlen)
{
	size_t n = strlen(s), o = 0, i = 0;

	if (n == 0)
		return -1;
	/* An odd number of digits has an implied leading zero. */
	if (n % 2) {
		int v = hexval((unsigned char)s[0]);
		if (v < 0 || outcap < 1)
			return -1;
		out[o++] = (uint8_t)v;
		i = 1;
	}
	for (; i < n; i += 2) {
		int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0 || o >= outcap)
			return -1;
		out[o++] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = o;
	return 0;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int decode_b64(const char *s, uint8_t *out, size_t outcap, size_t *outlen)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	for (; *s && *s != '='; s++) {
		int v = b64val((unsigned char)*s);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outcap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	for (; *s == '='; s++)
		;
	if (*s != '\0' || o == 0)
		return -1;
	*outlen = o;
	return 0;
}

int chap_decode(const char *s, uint8_t *out, size_t outcap, size_t *outlen)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return decode_hex(s + 2, out, outcap, outlen);
	if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		return decode_b64(s + 2, out, outcap, outlen);
	return -1;
}

void chap_encode_hex(const uint8_t *in, size_t len, char *out, size_t outcap)
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;

	if (outcap < 3)
		return;
	out[o++] = '0';
	out[o++] = 'x';
	for (size_t i = 0; i < len && o + 2 < outcap; i++) {
		out[o++] = digits[in[i] >> 4];
		out[o++] = digits[in[i] & 15];
	}
	out[o] = '\0';
}

int chap_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
