#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "config/names.h"

static void test_valid_names(void **state)
{
	static const char *const good[] = {
	    "iqn.2025-01.org.example:t1",
	    "iqn.2003-01.org.linux-iscsi.host.x8664:sn.1234abcd",
	    "iqn.1993-08.org.debian:01:abcdef0123",
	    "iqn.2025-01.io.luna",
	    "eui.02004567A425678D",
	    "naa.52004567BA64678D",
	    "naa.62004567BA64678D0123456789ABCDEF",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(iscsi_name_valid(good[i], NULL, 0));
}

static void test_invalid_names(void **state)
{
	static const struct {
		const char *name, *why;
	} bad[] = {
	    {"", "empty"},
	    {"iqn.2025-01.Org.example:t1", "uppercase"},
	    {"iqn.2025-13.org.example", "iqn.yyyy-mm"},
	    {"iqn.25-01.org.example", "iqn.yyyy-mm"},
	    {"iqn.2025-01.", "iqn.yyyy-mm"},
	    {"iqn.2025-01.:x", "naming authority"},
	    {"iqn.2025-01.org.ex ample", "only a-z"},
	    {"iqn.2025-01.org_example", "only a-z"},
	    {"eui.1234", "16 hex"},
	    {"eui.02004567A425678G", "16 hex"},
	    {"naa.1234567890", "16 or 32"},
	    {"target1", "must start with"},
	};
	char why[128], longname[300];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(iscsi_name_valid(bad[i].name, why, sizeof(why)));
		assert_non_null(strstr(why, bad[i].why));
	}
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "iqn.2025-01.org.x:", 18);
	longname[224] = '\0';
	assert_false(iscsi_name_valid(longname, why, sizeof(why)));
	assert_non_null(strstr(why, "223"));
	longname[223] = '\0';
	assert_true(iscsi_name_valid(longname, why, sizeof(why)));
}

static void test_storage_names(void **state)
{
	(void)state;
	assert_true(storage_name_valid("r0"));
	assert_true(storage_name_valid("disk_1.a:b-c"));
	assert_false(storage_name_valid(""));
	assert_false(storage_name_valid("a/b"));
	assert_false(storage_name_valid("a b"));
	assert_false(
	    storage_name_valid("0123456789012345678901234567890123456789012345678901234567890123"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_names),
	    cmocka_unit_test(test_invalid_names),
	    cmocka_unit_test(test_storage_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
