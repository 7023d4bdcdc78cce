#include "initiator/chapc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void ini_chapc_offer(const struct ini_chapc *c, struct iscsi_text_buf *out)
{
	char list[64] = "";
	size_t n = 0;

	for (unsigned i = 0; i < c->n_algs && n < sizeof(list) - 4; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%d", i ? "," : "", c->algs[i]);
	iscsi_text_add(out, "CHAP_A", list);
}

static int fail(char *err, size_t errlen, const char *msg, const char *detail)
{
	snprintf(err, errlen, "CHAP: %s%s%s", msg, detail ? ": " : "", detail ? detail : "");
	return -1;
}

static bool offered(const struct ini_chapc *c, int alg)
{
	for (unsigned i = 0; i < c->n_algs; i++)
		if (c->algs[i] == alg)
			return true;
	return false;
}

/* A decimal number, the whole string. */
static int parse_num(const char *s, long max, long *out)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	*out = strtol(s, &end, 0);
	if (errno || *end || *out < 0 || *out > max)
		return -1;
	return 0;
}

/* Our mutual challenge: as long as the digest, and never the target's own
 * challenge (a reflection would let the target answer with our response). */
static int add_mutual(struct ini_chapc *c, const uint8_t *their, size_t their_len,
		      struct iscsi_text_buf *out, char *err, size_t errlen)
{
	char hex[2 + 2 * CHAP_MAX_DIGEST + 1];
	uint8_t id;

	c->challenge_len = MAX(chap_digest_len(c->alg), (size_t)16);
	do {
		if (chap_random(c->challenge, c->challenge_len) < 0 || chap_random(&id, 1) < 0)
			return fail(err, errlen, "no random bytes for the mutual challenge", NULL);
	} while (their_len == c->challenge_len && memcmp(their, c->challenge, their_len) == 0);
	c->id = id;
	chap_encode_hex(c->challenge, c->challenge_len, hex, sizeof(hex));
	iscsi_text_add(out, "CHAP_N", c->user);
	iscsi_text_addf(out, "CHAP_I", "%u", id);
	iscsi_text_add(out, "CHAP_C", hex);
	return 0;
}

int ini_chapc_answer(struct ini_chapc *c, const struct iscsi_keys *in, struct iscsi_text_buf *out,
		     char *err, size_t errlen)
{
	uint8_t chal[CHAP_MAX_CHALLENGE], rsp[CHAP_MAX_DIGEST];
	char hex[2 + 2 * CHAP_MAX_DIGEST + 1];
	size_t chal_len;
	long alg, id;
	int n;

	if (parse_num(iscsi_keys_get(in, "CHAP_A"), 255, &alg) < 0)
		return fail(err, errlen, "the target sent no usable CHAP_A",
			    iscsi_keys_get(in, "CHAP_A"));
	if (!offered(c, (int)alg) || !chap_alg_supported((int)alg))
		return fail(err, errlen, "the target chose an algorithm we did not offer",
			    iscsi_keys_get(in, "CHAP_A"));
	c->alg = (int)alg;
	if (parse_num(iscsi_keys_get(in, "CHAP_I"), 255, &id) < 0)
		return fail(err, errlen, "CHAP_I missing or not 0-255",
			    iscsi_keys_get(in, "CHAP_I"));
	if (iscsi_keys_get(in, "CHAP_C") == NULL ||
	    chap_decode(iscsi_keys_get(in, "CHAP_C"), chal, sizeof(chal), &chal_len) < 0 ||
	    chal_len == 0)
		return fail(err, errlen, "CHAP_C missing, malformed or too long", NULL);
	n = chap_response(c->alg, (uint8_t)id, c->secret, strlen(c->secret), chal, chal_len, rsp);
	if (n < 0)
		return fail(err, errlen, "digest computation failed", chap_alg_name(c->alg));
	chap_encode_hex(rsp, (size_t)n, hex, sizeof(hex));
	if (c->mutual_user && c->mutual_user[0]) {
		if (add_mutual(c, chal, chal_len, out, err, errlen) < 0)
			return -1;
	} else {
		iscsi_text_add(out, "CHAP_N", c->user);
	}
	iscsi_text_add(out, "CHAP_R", hex);
	return 0;
}

int ini_chapc_verify(const struct ini_chapc *c, const struct iscsi_keys *in, char *err,
		     size_t errlen)
{
	uint8_t want[CHAP_MAX_DIGEST], got[CHAP_MAX_DIGEST];
	const char *name = iscsi_keys_get(in, "CHAP_N");
	size_t got_len;
	int n;

	if (name == NULL || iscsi_keys_get(in, "CHAP_R") == NULL)
		return fail(err, errlen, "the target did not answer our mutual challenge", NULL);
	if (strcmp(name, c->mutual_user) != 0)
		return fail(err, errlen, "the target answered with an unexpected CHAP_N", name);
	n = chap_response(c->alg, c->id, c->mutual_secret, strlen(c->mutual_secret), c->challenge,
			  c->challenge_len, want);
	if (n < 0 || chap_decode(iscsi_keys_get(in, "CHAP_R"), got, sizeof(got), &got_len) < 0 ||
	    got_len != (size_t)n || !chap_equal(want, got, got_len))
		return fail(err, errlen,
			    "the target's response is wrong (mutual secret mismatch: the target is "
			    "not who it claims to be)",
			    NULL);
	return 0;
}
