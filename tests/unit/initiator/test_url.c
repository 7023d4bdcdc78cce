/* iscsi:// URLs and HOST[:PORT] portals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "initiator/url.h"

static void full_url(void **state)
{
	struct ini_url u;
	const char *why;

	(void)state;
	assert_int_equal(
	    ini_url_parse("iscsi://bob%s3cret@10.0.0.1:3261/iqn.2025-01.io.luna:x/7", &u, &why), 0);
	assert_string_equal(u.user, "bob");
	assert_string_equal(u.password, "s3cret");
	assert_string_equal(u.host, "10.0.0.1");
	assert_int_equal(u.port, 3261);
	assert_string_equal(u.target, "iqn.2025-01.io.luna:x");
	assert_int_equal(u.lun, 7);
}

static void defaults_and_ipv6(void **state)
{
	struct ini_url u;
	const char *why;

	(void)state;
	assert_int_equal(ini_url_parse("iscsi://[::1]/iqn.a:b/0", &u, &why), 0);
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 3260);
	assert_int_equal(u.lun, 0);
	assert_string_equal(u.user, "");
	assert_int_equal(ini_url_parse("iscsi://[fe80::1]:999", &u, &why), 0);
	assert_string_equal(u.host, "fe80::1");
	assert_int_equal(u.port, 999);
	assert_string_equal(u.target, "");
	assert_int_equal(u.lun, -1);
	assert_int_equal(ini_url_parse("iscsi://host/iqn.a:b", &u, &why), 0);
	assert_int_equal(u.lun, -1);
	assert_string_equal(u.target, "iqn.a:b");
}

static void bad_urls(void **state)
{
	static const char *bad[] = {
	    "http://x/iqn.a:b/0", "iscsi://",	      "iscsi://h:0/t/0", "iscsi://h:65536/t/0",
	    "iscsi://h:12x/t/0",  "iscsi://[::1/t/0", "iscsi://h/t/lun", "iscsi://h/t/16384",
	    "iscsi://@h/t/0",	  "iscsi://h/t/-1",
	};
	struct ini_url u;
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(ini_url_parse(bad[i], &u, &why), -1);
		assert_non_null(why);
	}
}

static void long_names(void **state)
{
	char url[700], name[300];
	struct ini_url u;
	const char *why;

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(url, sizeof(url), "iscsi://h/%s/0", name);
	assert_int_equal(ini_url_parse(url, &u, &why), -1);
	snprintf(url, sizeof(url), "iscsi://%s/t/0", name);
	assert_int_equal(ini_url_parse(url, &u, &why), -1);
}

static void portals(void **state)
{
	char host[64];
	uint16_t port;
	const char *why;

	(void)state;
	assert_int_equal(ini_portal_parse("127.0.0.1:3270", host, sizeof(host), &port, &why), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 3270);
	assert_int_equal(ini_portal_parse("::1", host, sizeof(host), &port, &why), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 3260);
	assert_int_equal(ini_portal_parse("[::1]:5", host, sizeof(host), &port, &why), 0);
	assert_int_equal(port, 5);
	assert_int_equal(ini_portal_parse(":5", host, sizeof(host), &port, &why), -1);
	assert_int_equal(ini_portal_parse("[::1]x", host, sizeof(host), &port, &why), -1);
	assert_true(ini_is_url("iscsi://x"));
	assert_false(ini_is_url("/dev/sda"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(full_url), cmocka_unit_test(defaults_and_ipv6),
	    cmocka_unit_test(bad_urls), cmocka_unit_test(long_names),
	    cmocka_unit_test(portals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
