/* CHAP from the initiator's side: answers, mutual challenges, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "initiator/chapc.h"

static const int all_algs[] = {CHAP_ALG_SHA3_256, CHAP_ALG_SHA256, CHAP_ALG_SHA1, CHAP_ALG_MD5};

static void parse(struct iscsi_keys *k, struct iscsi_text_buf *t)
{
	const char *why;
	assert_int_equal(iscsi_keys_parse(k, (uint8_t *)t->data, t->len, &why), 0);
}

static void keys_from(struct iscsi_keys *k, const char *a, const char *i, const char *c)
{
	struct iscsi_text_buf t;

	iscsi_text_init(&t);
	if (a)
		iscsi_text_add(&t, "CHAP_A", a);
	if (i)
		iscsi_text_add(&t, "CHAP_I", i);
	if (c)
		iscsi_text_add(&t, "CHAP_C", c);
	parse(k, &t);
	iscsi_text_free(&t);
}

static void one_way_each_alg(void **state)
{
	static const uint8_t chal[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	char hex[80], alg[4];

	(void)state;
	chap_encode_hex(chal, sizeof(chal), hex, sizeof(hex));
	for (size_t a = 0; a < 4; a++) {
		struct ini_chapc c = {
		    .user = "u", .secret = "secret-12345", .algs = all_algs, .n_algs = 4};
		struct iscsi_keys in, out;
		struct iscsi_text_buf t;
		uint8_t want[CHAP_MAX_DIGEST], got[CHAP_MAX_DIGEST];
		size_t got_len;
		char err[256];
		int n;

		snprintf(alg, sizeof(alg), "%d", all_algs[a]);
		keys_from(&in, alg, "77", hex);
		iscsi_text_init(&t);
		assert_int_equal(ini_chapc_answer(&c, &in, &t, err, sizeof(err)), 0);
		parse(&out, &t);
		assert_string_equal(iscsi_keys_get(&out, "CHAP_N"), "u");
		assert_null(iscsi_keys_get(&out, "CHAP_C")); /* not mutual */
		n = chap_response(all_algs[a], 77, "secret-12345", 12, chal, sizeof(chal), want);
		assert_int_equal(
		    chap_decode(iscsi_keys_get(&out, "CHAP_R"), got, sizeof(got), &got_len), 0);
		assert_int_equal(got_len, (size_t)n);
		assert_memory_equal(got, want, got_len);
		iscsi_keys_free(&in);
		iscsi_keys_free(&out);
		iscsi_text_free(&t);
	}
}

static void refusals(void **state)
{
	static const int md5_only[] = {CHAP_ALG_MD5};
	static const char *cases[][3] = {
	    {"7", "1", "0x0102"}, /* an algorithm we did not offer */
	    {"5", "256", "0x01"}, /* CHAP_I out of range */
	    {"5", "1", "0xzz"},	  /* malformed challenge */
	    {"5", "1", "0x"},	  /* empty challenge */
	    {"Reject", "1", "0x01"}, {"5", NULL, "0x01"},
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ini_chapc c = {.user = "u", .secret = "s", .algs = md5_only, .n_algs = 1};
		struct iscsi_keys in;
		struct iscsi_text_buf t;

		keys_from(&in, cases[i][0], cases[i][1], cases[i][2]);
		iscsi_text_init(&t);
		err[0] = '\0';
		assert_int_equal(ini_chapc_answer(&c, &in, &t, err, sizeof(err)), -1);
		assert_true(strncmp(err, "CHAP: ", 6) == 0);
		iscsi_keys_free(&in);
		iscsi_text_free(&t);
	}
}

/* Play the target: answer the initiator's mutual challenge. */
static void target_answer(const struct iscsi_keys *out, const char *name, const char *secret,
			  int alg, struct iscsi_keys *answer)
{
	uint8_t chal[CHAP_MAX_CHALLENGE], rsp[CHAP_MAX_DIGEST];
	char hex[2 + 2 * CHAP_MAX_DIGEST + 1];
	struct iscsi_text_buf t;
	size_t len;
	int id, n;

	id = atoi(iscsi_keys_get(out, "CHAP_I"));
	assert_int_equal(chap_decode(iscsi_keys_get(out, "CHAP_C"), chal, sizeof(chal), &len), 0);
	n = chap_response(alg, (uint8_t)id, secret, strlen(secret), chal, len, rsp);
	chap_encode_hex(rsp, (size_t)n, hex, sizeof(hex));
	iscsi_text_init(&t);
	iscsi_text_add(&t, "CHAP_N", name);
	iscsi_text_add(&t, "CHAP_R", hex);
	parse(answer, &t);
	iscsi_text_free(&t);
}

static void mutual(void **state)
{
	struct ini_chapc c = {.user = "u",
			      .secret = "ini-secret-123",
			      .mutual_user = "tgt",
			      .mutual_secret = "tgt-secret-456",
			      .algs = all_algs,
			      .n_algs = 4};
	struct iscsi_keys in, out, good, wrong_secret, wrong_name;
	struct iscsi_text_buf t;
	char err[256];

	(void)state;
	keys_from(&in, "8", "3", "0x00112233445566778899aabbccddeeff");
	iscsi_text_init(&t);
	assert_int_equal(ini_chapc_answer(&c, &in, &t, err, sizeof(err)), 0);
	parse(&out, &t);
	assert_non_null(iscsi_keys_get(&out, "CHAP_C"));
	assert_int_equal(c.challenge_len, 32); /* as long as a SHA3-256 digest */
	target_answer(&out, "tgt", "tgt-secret-456", 8, &good);
	assert_int_equal(ini_chapc_verify(&c, &good, err, sizeof(err)), 0);
	target_answer(&out, "tgt", "ini-secret-123", 8, &wrong_secret);
	assert_int_equal(ini_chapc_verify(&c, &wrong_secret, err, sizeof(err)), -1);
	target_answer(&out, "someone", "tgt-secret-456", 8, &wrong_name);
	assert_int_equal(ini_chapc_verify(&c, &wrong_name, err, sizeof(err)), -1);
	iscsi_keys_free(&in);
	iscsi_keys_free(&out);
	iscsi_keys_free(&good);
	iscsi_keys_free(&wrong_secret);
	iscsi_keys_free(&wrong_name);
	iscsi_text_free(&t);
}

static void offer(void **state)
{
	struct ini_chapc c = {.algs = all_algs, .n_algs = 4};
	struct iscsi_text_buf t;

	(void)state;
	iscsi_text_init(&t);
	ini_chapc_offer(&c, &t);
	assert_string_equal(t.data, "CHAP_A=8,7,6,5");
	iscsi_text_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(one_way_each_alg),
	    cmocka_unit_test(refusals),
	    cmocka_unit_test(mutual),
	    cmocka_unit_test(offer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
