/* Operational parameter negotiation (RFC 7143 section 13). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iscsi/params.h"

/* Negotiate one key with default policy; return our answer. */
static const char *answer(struct iscsi_negotiation *neg, const char *key, const char *value,
			  char *buf, size_t buflen)
{
	struct iscsi_text_buf out;
	const char *why;

	iscsi_text_init(&out);
	assert_int_equal(iscsi_negotiate_key(neg, key, value, &out, &why), 0);
	buf[0] = '\0';
	if (out.len) {
		const char *eq = memchr(out.data, '=', out.len);
		assert_non_null(eq);
		snprintf(buf, buflen, "%s", eq + 1);
	}
	iscsi_text_free(&out);
	return buf;
}

static void setup_neg(struct iscsi_negotiation *neg, bool discovery)
{
	struct iscsi_policy pol;

	iscsi_policy_defaults(&pol);
	iscsi_negotiation_init(neg, &pol, discovery);
}

static void digests_follow_initiator_order(void **state)
{
	struct iscsi_negotiation neg;
	char b[64];

	(void)state;
	setup_neg(&neg, false);
	assert_string_equal(answer(&neg, "HeaderDigest", "CRC32C,None", b, sizeof(b)), "CRC32C");
	assert_true(neg.params.header_digest);
	assert_string_equal(answer(&neg, "DataDigest", "None,CRC32C", b, sizeof(b)), "None");
	assert_false(neg.params.data_digest);
	assert_string_equal(answer(&neg, "DataDigest", "MD5", b, sizeof(b)), "Reject");
}

static void digest_policy_restricts(void **state)
{
	struct iscsi_negotiation neg;
	struct iscsi_policy pol;
	char err[128], b[64];

	(void)state;
	iscsi_policy_defaults(&pol);
	assert_int_equal(iscsi_policy_set(&pol, "HeaderDigest", "CRC32C", err, sizeof(err)), 0);
	iscsi_negotiation_init(&neg, &pol, false);
	assert_string_equal(answer(&neg, "HeaderDigest", "None,CRC32C", b, sizeof(b)), "CRC32C");
	assert_string_equal(answer(&neg, "HeaderDigest", "None", b, sizeof(b)), "Reject");
}

static void numbers_take_min_or_max(void **state)
{
	struct iscsi_negotiation neg;
	char b[64];

	(void)state;
	setup_neg(&neg, false);
	/* MaxBurstLength: minimum of the two (ours is 1 MiB) */
	assert_string_equal(answer(&neg, "MaxBurstLength", "262144", b, sizeof(b)), "262144");
	assert_int_equal(neg.params.max_burst, 262144);
	assert_string_equal(answer(&neg, "MaxBurstLength", "16776192", b, sizeof(b)), "1048576");
	/* DefaultTime2Wait: maximum */
	assert_string_equal(answer(&neg, "DefaultTime2Wait", "0", b, sizeof(b)), "2");
	/* ErrorRecoveryLevel: we only do 0 */
	assert_string_equal(answer(&neg, "ErrorRecoveryLevel", "2", b, sizeof(b)), "0");
	/* MaxConnections: one connection per session */
	assert_string_equal(answer(&neg, "MaxConnections", "8", b, sizeof(b)), "1");
	/* out of range or malformed values are rejected */
	assert_string_equal(answer(&neg, "MaxBurstLength", "100", b, sizeof(b)), "Reject");
	assert_string_equal(answer(&neg, "MaxBurstLength", "16777216", b, sizeof(b)), "Reject");
	assert_string_equal(answer(&neg, "MaxBurstLength", "12ab", b, sizeof(b)), "Reject");
	assert_string_equal(answer(&neg, "MaxBurstLength", "-5", b, sizeof(b)), "Reject");
}

static void booleans_and_or(void **state)
{
	struct iscsi_negotiation neg;
	char b[64];

	(void)state;
	setup_neg(&neg, false);
	/* InitialR2T is OR: our No does not override their Yes */
	assert_string_equal(answer(&neg, "InitialR2T", "Yes", b, sizeof(b)), "Yes");
	assert_true(neg.params.initial_r2t);
	assert_string_equal(answer(&neg, "InitialR2T", "No", b, sizeof(b)), "No");
	assert_false(neg.params.initial_r2t);
	/* ImmediateData is AND */
	assert_string_equal(answer(&neg, "ImmediateData", "No", b, sizeof(b)), "No");
	assert_false(neg.params.immediate_data);
	assert_string_equal(answer(&neg, "ImmediateData", "Yes", b, sizeof(b)), "Yes");
	/* markers are never used */
	assert_string_equal(answer(&neg, "OFMarker", "Yes", b, sizeof(b)), "No");
	assert_string_equal(answer(&neg, "IFMarkInt", "2048~8192", b, sizeof(b)), "Irrelevant");
	assert_string_equal(answer(&neg, "DataPDUInOrder", "maybe", b, sizeof(b)), "Reject");
}

static void declarative_and_unknown(void **state)
{
	struct iscsi_negotiation neg;
	struct iscsi_text_buf out;
	char b[64];

	(void)state;
	setup_neg(&neg, false);
	/* the initiator's MaxRecvDataSegmentLength is what we may send; no answer */
	assert_string_equal(answer(&neg, "MaxRecvDataSegmentLength", "65536", b, sizeof(b)), "");
	assert_int_equal(neg.params.max_send_dsl, 65536);
	assert_string_equal(answer(&neg, "X-com.example.Thing", "1", b, sizeof(b)),
			    "NotUnderstood");
	/* finish declares ours and keeps FirstBurstLength <= MaxBurstLength */
	answer(&neg, "MaxBurstLength", "4096", b, sizeof(b));
	answer(&neg, "FirstBurstLength", "65536", b, sizeof(b));
	iscsi_text_init(&out);
	iscsi_negotiate_finish(&neg, &out);
	assert_memory_equal(out.data, "MaxRecvDataSegmentLength=262144", 31);
	assert_int_equal(neg.params.first_burst, 4096);
	assert_int_equal(neg.params.max_recv_dsl, 262144);
	iscsi_text_free(&out);
}

static void discovery_session_keys_irrelevant(void **state)
{
	struct iscsi_negotiation neg;
	char b[64];

	(void)state;
	setup_neg(&neg, true);
	assert_string_equal(answer(&neg, "MaxBurstLength", "262144", b, sizeof(b)), "Irrelevant");
	assert_string_equal(answer(&neg, "HeaderDigest", "None", b, sizeof(b)), "None");
}

static void policy_validation(void **state)
{
	struct iscsi_policy pol;
	char err[160];

	(void)state;
	iscsi_policy_defaults(&pol);
	assert_int_equal(iscsi_policy_set(&pol, "MaxRecvDataSegmentLength", "65536", err,
					  sizeof(err)),
			 0);
	assert_int_equal(pol.max_recv_dsl, 65536);
	assert_int_equal(iscsi_policy_set(&pol, "MaxRecvDataSegmentLength", "100", err,
					  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "512"));
	assert_int_equal(iscsi_policy_set(&pol, "ErrorRecoveryLevel", "1", err, sizeof(err)), -1);
	assert_int_equal(iscsi_policy_set(&pol, "ImmediateData", "No", err, sizeof(err)), 0);
	assert_false(pol.immediate_data);
	assert_int_equal(iscsi_policy_set(&pol, "ImmediateData", "no", err, sizeof(err)), -1);
	assert_int_equal(iscsi_policy_set(&pol, "DataDigest", "CRC32C,Adler", err, sizeof(err)),
			 -1);
	assert_int_equal(iscsi_policy_set(&pol, "Bogus", "1", err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(digests_follow_initiator_order),
		cmocka_unit_test(digest_policy_restricts),
		cmocka_unit_test(numbers_take_min_or_max),
		cmocka_unit_test(booleans_and_or),
		cmocka_unit_test(declarative_and_unknown),
		cmocka_unit_test(discovery_session_keys_irrelevant),
		cmocka_unit_test(policy_validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
