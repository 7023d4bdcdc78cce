/* Text key lists: parsing and building. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iscsi/keys.h"

static int parse(struct iscsi_keys *k, const char *text, size_t len, const char **why)
{
	return iscsi_keys_parse(k, (const uint8_t *)text, len, why);
}

static void parses_pairs_and_padding(void **state)
{
	static const char text[] = "InitiatorName=iqn.x:y\0SessionType=Normal\0\0\0";
	struct iscsi_keys k;
	const char *why;

	(void)state;
	assert_int_equal(parse(&k, text, sizeof(text) - 1, &why), 0);
	assert_int_equal(k.count, 2);
	assert_string_equal(iscsi_keys_get(&k, "InitiatorName"), "iqn.x:y");
	assert_string_equal(iscsi_keys_get(&k, "SessionType"), "Normal");
	assert_null(iscsi_keys_get(&k, "TargetName"));
	iscsi_keys_free(&k);
}

static void missing_final_nul_is_tolerated(void **state)
{
	static const char text[] = "A=1\0B=2";
	struct iscsi_keys k;
	const char *why;

	(void)state;
	assert_int_equal(parse(&k, text, sizeof(text) - 1, &why), 0);
	assert_string_equal(iscsi_keys_get(&k, "B"), "2");
	iscsi_keys_free(&k);
}

static void empty_value_is_allowed(void **state)
{
	static const char text[] = "SendTargets=\0";
	struct iscsi_keys k;
	const char *why;

	(void)state;
	assert_int_equal(parse(&k, text, sizeof(text) - 1, &why), 0);
	assert_string_equal(iscsi_keys_get(&k, "SendTargets"), "");
	iscsi_keys_free(&k);
}

static void rejects_malformed(void **state)
{
	static const struct {
		const char *text;
		size_t len;
	} bad[] = {
		{"NoEquals\0", 9},
		{"=value\0", 7},
		{"A=1\0A=2\0", 8},		/* a key twice */
		{"A=1\0\0B=2\0", 9},		/* empty pair in the middle */
		{"Bad Key=1\0", 10},		/* space in the name */
		{"K\x01y=1\0", 6},		/* control character in the name */
	};
	struct iscsi_keys k;
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(parse(&k, bad[i].text, bad[i].len, &why), -1);
		assert_non_null(why);
	}
}

static void rejects_long_names_and_values(void **state)
{
	char text[9000];
	struct iscsi_keys k;
	const char *why;

	(void)state;
	memset(text, 'k', 64);
	memcpy(text + 64, "=1", 3);
	assert_int_equal(parse(&k, text, 67, &why), -1);
	memcpy(text, "K=", 2);
	memset(text + 2, 'v', 8193);
	text[8195] = '\0';
	assert_int_equal(parse(&k, text, 8196, &why), -1);
}

static void rejects_too_many_keys(void **state)
{
	char text[2000];
	size_t len = 0;
	struct iscsi_keys k;
	const char *why;

	(void)state;
	for (int i = 0; i <= ISCSI_KEYS_MAX; i++)
		len += (size_t)sprintf(text + len, "K%d=1", i) + 1;
	assert_int_equal(parse(&k, text, len, &why), -1);
}

static void builds_text(void **state)
{
	struct iscsi_text_buf t;

	(void)state;
	iscsi_text_init(&t);
	iscsi_text_add(&t, "HeaderDigest", "None");
	iscsi_text_addf(&t, "MaxBurstLength", "%u", 262144u);
	assert_int_equal(t.len, strlen("HeaderDigest=None") + 1 + strlen("MaxBurstLength=262144") + 1);
	assert_memory_equal(t.data, "HeaderDigest=None\0MaxBurstLength=262144\0", t.len);
	assert_false(t.overflow);
	iscsi_text_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_pairs_and_padding),
		cmocka_unit_test(missing_final_nul_is_tolerated),
		cmocka_unit_test(empty_value_is_allowed),
		cmocka_unit_test(rejects_malformed),
		cmocka_unit_test(rejects_long_names_and_values),
		cmocka_unit_test(rejects_too_many_keys),
		cmocka_unit_test(builds_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
