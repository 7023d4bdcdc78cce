/* Login negotiation from the initiator's side, and SendTargets answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "initiator/neg.h"

/* Parse "k=v\0k=v\0" given as a C string with '|' for NUL. */
static void keys_of(struct iscsi_keys *k, const char *s)
{
	char buf[1024];
	size_t n = strlen(s);
	const char *why;

	memcpy(buf, s, n);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '|')
			buf[i] = '\0';
	assert_int_equal(iscsi_keys_parse(k, (uint8_t *)buf, n, &why), 0);
}

static int apply(struct ini_neg *n, const struct ini_config *cfg, const char *s,
		 struct iscsi_text_buf *reply)
{
	struct iscsi_keys k;
	char err[256];
	int rc;

	keys_of(&k, s);
	rc = ini_neg_apply(n, cfg, false, &k, reply, err, sizeof(err));
	iscsi_keys_free(&k);
	return rc;
}

static void typical_answer(void **state)
{
	struct ini_config cfg;
	struct ini_neg n;
	struct iscsi_text_buf reply;

	(void)state;
	ini_config_defaults(&cfg);
	strcpy(cfg.header_digest, "CRC32C,None");
	ini_neg_defaults(&n, &cfg);
	iscsi_text_init(&reply);
	assert_int_equal(apply(&n, &cfg,
			       "HeaderDigest=CRC32C|DataDigest=None|MaxRecvDataSegmentLength=65536|"
			       "MaxBurstLength=1048576|FirstBurstLength=65536|ImmediateData=Yes|"
			       "InitialR2T=Yes|MaxOutstandingR2T=1|TargetPortalGroupTag=3|"
			       "TargetAlias=disk",
			       &reply),
			 0);
	assert_true(n.header_digest);
	assert_false(n.data_digest);
	assert_int_equal(n.max_xmit_dsl, 65536);
	assert_int_equal(n.max_burst, 1048576);
	assert_int_equal(n.first_burst, 65536);
	assert_true(n.initial_r2t);
	assert_int_equal(n.tpgt, 3);
	assert_string_equal(n.target_alias, "disk");
	assert_int_equal(reply.len, 0);
	iscsi_text_free(&reply);
}

static void answers_we_did_not_offer(void **state)
{
	static const char *bad[] = {
	    "HeaderDigest=CRC32C",	  /* we offered None only */
	    "HeaderDigest=MD5",		  /* not a digest at all */
	    "MaxBurstLength=99999999",	  /* more than we offered */
	    "MaxRecvDataSegmentLength=1", /* below the minimum */
	    "ImmediateData=maybe",	  /* not a boolean */
	    "ErrorRecoveryLevel=2",	  /* we offered 0 */
	    "FirstBurstLength=abc",
	};
	struct ini_config cfg;
	struct ini_neg n;
	struct iscsi_text_buf reply;

	(void)state;
	ini_config_defaults(&cfg);
	cfg.immediate_data = true;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ini_neg_defaults(&n, &cfg);
		iscsi_text_init(&reply);
		assert_int_equal(apply(&n, &cfg, bad[i], &reply), -1);
		iscsi_text_free(&reply);
	}
	/* ImmediateData is AND: we said No, the target may not say Yes. */
	cfg.immediate_data = false;
	ini_neg_defaults(&n, &cfg);
	iscsi_text_init(&reply);
	assert_int_equal(apply(&n, &cfg, "ImmediateData=Yes", &reply), -1);
	iscsi_text_free(&reply);
}

static void target_offers_are_answered(void **state)
{
	struct ini_config cfg;
	struct ini_neg n;
	struct iscsi_text_buf reply;

	(void)state;
	ini_config_defaults(&cfg);
	ini_neg_defaults(&n, &cfg);
	iscsi_text_init(&reply);
	assert_int_equal(apply(&n, &cfg, "X-vendor.key=1|OFMarker=Yes", &reply), 0);
	assert_int_equal(reply.len,
			 strlen("X-vendor.key=NotUnderstood") + 1 + strlen("OFMarker=No") + 1);
	assert_memory_equal(reply.data, "X-vendor.key=NotUnderstood", 27);
	iscsi_text_free(&reply);
}

static void offer_lists(void **state)
{
	struct ini_config cfg;
	struct iscsi_text_buf t;

	(void)state;
	ini_config_defaults(&cfg);
	iscsi_text_init(&t);
	ini_neg_offer(&cfg, true, &t);
	assert_null(memmem(t.data, t.len, "MaxBurstLength", 14)); /* discovery: digests and MRDSL */
	assert_non_null(memmem(t.data, t.len, "MaxRecvDataSegmentLength=262144", 31));
	iscsi_text_free(&t);
	iscsi_text_init(&t);
	ini_neg_offer(&cfg, false, &t);
	assert_non_null(memmem(t.data, t.len, "ErrorRecoveryLevel=0", 20));
	iscsi_text_free(&t);
}

struct seen {
	int n;
	char last[128];
};

static void st_cb(const char *target, const char *addr, void *arg)
{
	struct seen *s = arg;

	s->n++;
	snprintf(s->last, sizeof(s->last), "%s %s", addr, target);
}

static void sendtargets(void **state)
{
	static const char ok[] = "TargetName=iqn.a:one\0TargetAddress=10.0.0.1:3260,1\0"
				 "TargetAddress=[::1]:3260,1\0TargetName=iqn.a:two\0"
				 "TargetAddress=10.0.0.2:3261,2\0";
	static const char orphan[] = "TargetAddress=10.0.0.1:3260,1\0";
	static const char unterminated[] = "TargetName=iqn.a:one";
	struct seen s = {0};
	const char *why;

	(void)state;
	assert_int_equal(
	    ini_sendtargets_parse((const uint8_t *)ok, sizeof(ok) - 1, st_cb, &s, &why), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.last, "10.0.0.2:3261,2 iqn.a:two");
	assert_int_equal(
	    ini_sendtargets_parse((const uint8_t *)orphan, sizeof(orphan) - 1, st_cb, &s, &why),
	    -1);
	assert_int_equal(ini_sendtargets_parse((const uint8_t *)unterminated,
					       sizeof(unterminated) - 1, st_cb, &s, &why),
			 -1);
}

static void chap_alg_lists(void **state)
{
	int algs[4];
	unsigned n;

	(void)state;
	assert_int_equal(ini_chap_parse_algs("SHA3-256,md5", algs, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(algs[0], 8);
	assert_int_equal(algs[1], 5);
	assert_int_equal(ini_chap_parse_algs("7,6", algs, &n), 0);
	assert_int_equal(algs[0], 7);
	assert_int_equal(ini_chap_parse_algs("MD5,MD5", algs, &n), -1);
	assert_int_equal(ini_chap_parse_algs("SHA-512", algs, &n), -1);
	assert_int_equal(ini_chap_parse_algs("", algs, &n), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(typical_answer),
	    cmocka_unit_test(answers_we_did_not_offer),
	    cmocka_unit_test(target_offers_are_answered),
	    cmocka_unit_test(offer_lists),
	    cmocka_unit_test(sendtargets),
	    cmocka_unit_test(chap_alg_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
