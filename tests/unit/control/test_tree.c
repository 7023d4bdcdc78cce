#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "control/tree.h"

static const char config[] =
    "{\"storage_objects\": [{\"name\": \"f0\", \"plugin\": \"fileio\", \"dev\": \"/x\"},"
    "  {\"name\": \"r0\", \"plugin\": \"ramdisk\", \"size\": 1048576}],"
    " \"targets\": [{\"wwn\": \"iqn.2025-01.org.example:t1\", \"tpgs\": [{\"tag\": 1,"
    "   \"portals\": [{\"ip_address\": \"127.0.0.1\", \"port\": 3260},"
    "                 {\"ip_address\": \"::1\", \"port\": 3261}],"
    "   \"luns\": [{\"index\": 0, \"storage_object\": \"/backstores/fileio/f0\"},"
    "              {\"index\": 5, \"storage_object\": \"/backstores/ramdisk/r0\"}],"
    "   \"node_acls\": [{\"node_wwn\": \"iqn.1994-05.com.example:c\","
    "      \"mapped_luns\": [{\"index\": 2, \"tpg_lun\": 5}]}]}]}]}";

static void normalize(const char *cwd, const char *in, const char *want)
{
	char out[CTL_PATH_MAX];

	assert_int_equal(ctl_path_normalize(cwd, in, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_normalize(void **state)
{
	(void)state;
	normalize("/", "/", "/");
	normalize("/", "iscsi", "/iscsi");
	normalize("/iscsi", "..", "/");
	normalize("/iscsi", "../..", "/");
	normalize("/iscsi", "./a//b/", "/iscsi/a/b");
	normalize("/backstores/fileio", "../ramdisk/r0", "/backstores/ramdisk/r0");
	normalize("/x", "/iscsi/./t/../u", "/iscsi/u");
}

static void test_normalize_too_long(void **state)
{
	char in[CTL_PATH_MAX + 10], out[CTL_PATH_MAX];

	(void)state;
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	assert_int_equal(ctl_path_normalize("/", in, out, sizeof(out)), -1);
}

static void resolve_ok(json_t *root, const char *path, enum ctl_kind kind)
{
	struct ctl_node n;
	char err[256];

	assert_int_equal(ctl_resolve(root, path, &n, err, sizeof(err)), 0);
	assert_int_equal(n.kind, kind);
}

static void test_resolve(void **state)
{
	json_t *root = json_loads(config, 0, NULL);
	const char *t = "/iscsi/iqn.2025-01.org.example:t1/tpg1";
	char p[256];
	struct ctl_node n;
	char err[256];

	(void)state;
	assert_non_null(root);
	resolve_ok(root, "/", CTL_ROOT);
	resolve_ok(root, "/backstores", CTL_BACKSTORES);
	resolve_ok(root, "/backstores/null", CTL_BS_TYPE);
	resolve_ok(root, "/backstores/fileio/f0", CTL_BS_OBJ);
	resolve_ok(root, "/iscsi/iqn.2025-01.org.example:t1", CTL_TARGET);
	resolve_ok(root, t, CTL_TPG);
	snprintf(p, sizeof(p), "%s/luns/lun5", t);
	resolve_ok(root, p, CTL_LUN);
	snprintf(p, sizeof(p), "%s/portals/[::1]:3261", t);
	resolve_ok(root, p, CTL_PORTAL);
	snprintf(p, sizeof(p), "%s/acls/iqn.1994-05.com.example:c/mapped_lun2", t);
	assert_int_equal(ctl_resolve(root, p, &n, err, sizeof(err)), 0);
	assert_int_equal(n.kind, CTL_MAPPED_LUN);
	assert_int_equal(json_integer_value(json_object_get(n.mlun, "tpg_lun")), 5);
	snprintf(p, sizeof(p), "%s/attributes", t);
	resolve_ok(root, p, CTL_ATTRIBUTES);
	json_decref(root);
}

static void resolve_fails(json_t *root, const char *path, const char *msg)
{
	struct ctl_node n;
	char err[256];

	assert_int_equal(ctl_resolve(root, path, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, msg));
}

static void test_resolve_errors(void **state)
{
	json_t *root = json_loads(config, 0, NULL);

	(void)state;
	resolve_fails(root, "relative", "not an absolute path");
	resolve_fails(root, "/nothing", "nothing called \"nothing\" in /");
	resolve_fails(root, "/backstores/pscsi", "nothing called \"pscsi\" in /backstores");
	resolve_fails(root, "/backstores/ramdisk/f0", "no such path");
	resolve_fails(root, "/iscsi/iqn.2025-01.org.example:t1/tpg2", "\"tpg2\"");
	resolve_fails(root, "/iscsi/iqn.2025-01.org.example:t1/tpgx", "\"tpgx\"");
	resolve_fails(root, "/iscsi/iqn.2025-01.org.example:t1/tpg1/luns/lun1", "\"lun1\"");
	resolve_fails(root, "/iscsi/iqn.2025-01.org.example:t1/tpg1/portals/127.0.0.1", "no such");
	resolve_fails(root, "/iscsi/iqn.2025-01.org.example:t1/tpg1/luns/lun0/x", "\"x\"");
	json_decref(root);
}

static void test_children(void **state)
{
	json_t *root = json_loads(config, 0, NULL), *kids;
	struct ctl_node n;
	char err[256];

	(void)state;
	assert_int_equal(ctl_resolve(root, "/iscsi/iqn.2025-01.org.example:t1/tpg1/portals", &n,
				     err, sizeof(err)),
			 0);
	kids = ctl_children(root, &n);
	assert_int_equal(json_array_size(kids), 2);
	assert_string_equal(json_string_value(json_array_get(kids, 0)), "127.0.0.1:3260");
	assert_string_equal(json_string_value(json_array_get(kids, 1)), "[::1]:3261");
	json_decref(kids);
	assert_int_equal(ctl_resolve(root, "/backstores/ramdisk", &n, err, sizeof(err)), 0);
	kids = ctl_children(root, &n);
	assert_int_equal(json_array_size(kids), 1);
	assert_string_equal(json_string_value(json_array_get(kids, 0)), "r0");
	json_decref(kids);
	json_decref(root);
}

static void test_portal_parse(void **state)
{
	char ip[64];
	long port;

	(void)state;
	assert_int_equal(ctl_portal_parse("[fe80::1]:3260", ip, sizeof(ip), &port), 0);
	assert_string_equal(ip, "fe80::1");
	assert_int_equal(port, 3260);
	assert_int_equal(ctl_portal_parse("10.0.0.1:1", ip, sizeof(ip), &port), 0);
	assert_int_equal(ctl_portal_parse("10.0.0.1", ip, sizeof(ip), &port), -1);
	assert_int_equal(ctl_portal_parse("10.0.0.1:0", ip, sizeof(ip), &port), -1);
	assert_int_equal(ctl_portal_parse("10.0.0.1:65536", ip, sizeof(ip), &port), -1);
	assert_int_equal(ctl_portal_parse(":3260", ip, sizeof(ip), &port), -1);
	assert_int_equal(ctl_portal_parse("[::1:3260", ip, sizeof(ip), &port), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalize), cmocka_unit_test(test_normalize_too_long),
	    cmocka_unit_test(test_resolve),   cmocka_unit_test(test_resolve_errors),
	    cmocka_unit_test(test_children),  cmocka_unit_test(test_portal_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
