/* The request handlers on a JSON tree, without a daemon: what they write
 * into the saveconfig-shaped JSON, and what they refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "control/ops.h"

static int exec(json_t *root, const char *path, const char *cmd, json_t *args, char *err,
		size_t errlen)
{
	struct ctl_ctx c = {.root = root, .notes = json_array()};
	char line[4096];
	char *a = json_dumps(args, JSON_COMPACT);
	struct ctl_request req;
	int r;

	snprintf(line, sizeof(line), "{\"cmd\":\"%s\",\"path\":\"%s\",\"args\":%s}", cmd, path, a);
	free(a);
	json_decref(args);
	assert_int_equal(ctl_request_parse(line, strlen(line), &req, err, errlen), 0);
	r = ctl_execute(&c, &req, err, errlen);
	ctl_request_free(&req);
	json_decref(c.result);
	json_decref(c.notes);
	if (r == 0)
		assert_true(c.changed || strcmp(cmd, "get") == 0 || strcmp(cmd, "ls") == 0);
	return r;
}

#define OK(path, cmd, ...)                                                                         \
	assert_int_equal(exec(root, path, cmd, json_pack(__VA_ARGS__), err, sizeof(err)), 0)
#define FAILS(msg, path, cmd, ...)                                                                 \
	do {                                                                                       \
		assert_int_equal(exec(root, path, cmd, json_pack(__VA_ARGS__), err, sizeof(err)),  \
				 -1);                                                              \
		assert_non_null(strstr(err, msg));                                                 \
	} while (0)

static const char *T = "/iscsi/iqn.2025-01.org.example:t1";
static const char *TPG = "/iscsi/iqn.2025-01.org.example:t1/tpg1";

static void build(json_t *root, char *err)
{
	char p[256];
	(void)err;
	OK("/backstores/fileio", "create", "[s,s,s]", "f0", "/tmp/f0.img", "size=1G");
	OK("/iscsi", "create", "[s]", "iqn.2025-01.org.example:t1");
	snprintf(p, sizeof(p), "%s/acls", TPG);
	OK(p, "create", "[s]", "iqn.1994-05.com.example:c");
	snprintf(p, sizeof(p), "%s/luns", TPG);
	OK(p, "create", "[s]", "/backstores/fileio/f0");
}

static void test_create(void **state)
{
	json_t *root = json_object(), *so, *tpg, *ml;
	char err[512];

	(void)state;
	build(root, err);
	so = json_array_get(json_object_get(root, "storage_objects"), 0);
	assert_string_equal(json_string_value(json_object_get(so, "dev")), "/tmp/f0.img");
	assert_int_equal(json_integer_value(json_object_get(so, "size")), 1 << 30);
	tpg = json_array_get(
	    json_object_get(json_array_get(json_object_get(root, "targets"), 0), "tpgs"), 0);
	assert_int_equal(json_integer_value(json_object_get(tpg, "tag")), 1);
	/* The LUN created after the ACL was mapped to it, as targetcli does. */
	ml = json_object_get(json_array_get(json_object_get(tpg, "node_acls"), 0), "mapped_luns");
	assert_int_equal(json_array_size(ml), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ml, 0), "tpg_lun")), 0);
	json_decref(root);
}

static void test_create_errors(void **state)
{
	json_t *root = json_object();
	char err[512], p[256];

	(void)state;
	build(root, err);
	FAILS("already exists", "/backstores/fileio", "create", "[s,s]", "f0", "/tmp/other");
	FAILS("must be an absolute path", "/backstores/fileio", "create", "[s,s]", "f1", "rel");
	FAILS("bad size", "/backstores/ramdisk", "create", "[s,s]", "r0", "-1");
	FAILS("not a valid iSCSI name", "/iscsi", "create", "[s]", "iqn.bad");
	FAILS("tpg1 already exists", T, "create", "[s]", "1");
	snprintf(p, sizeof(p), "%s/luns", TPG);
	FAILS("lun0 already exists", p, "create", "[s,s]", "/backstores/fileio/f0", "0");
	FAILS("no storage object", p, "create", "[s]", "fileio/f0");
	snprintf(p, sizeof(p), "%s/portals", TPG);
	FAILS("not an IPv4 or IPv6", p, "create", "[s]", "localhost");
	FAILS("nothing can be created", "/", "create", "[s]", "x");
	json_decref(root);
}

static void test_set_and_delete(void **state)
{
	json_t *root = json_object(), *tpg;
	char err[512], p[300];

	(void)state;
	build(root, err);
	OK(TPG, "set", "[s,s]", "attribute", "authentication=1");
	snprintf(p, sizeof(p), "%s/parameters", TPG);
	OK(p, "set", "[s]", "MaxBurstLength=1048576");
	FAILS("must be a number from", p, "set", "[s]", "MaxBurstLength=1");
	FAILS("not a negotiation parameter", p, "set", "[s]", "TargetAlias=x");
	snprintf(p, sizeof(p), "%s/acls/iqn.1994-05.com.example:c", TPG);
	OK(p, "set", "[s,s,s]", "auth", "userid=u", "password=p");
	OK("/iscsi", "set", "[s,s]", "discovery_auth", "enable=1");
	FAILS("nothing to set", "/iscsi", "set", "[s]", "x=1");
	tpg = json_array_get(
	    json_object_get(json_array_get(json_object_get(root, "targets"), 0), "tpgs"), 0);
	assert_int_equal(json_integer_value(
			     json_object_get(json_object_get(tpg, "attributes"), "authentication")),
			 1);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(tpg, "node_acls"), 0),
					      "chap_userid")),
	    "u");
	/* Deleting the backstore takes its LUN and the ACL's mapping along. */
	OK("/backstores/fileio", "delete", "[s]", "f0");
	assert_int_equal(json_array_size(json_object_get(tpg, "luns")), 0);
	assert_int_equal(json_array_size(json_object_get(
			     json_array_get(json_object_get(tpg, "node_acls"), 0), "mapped_luns")),
			 0);
	FAILS("no storage object", "/backstores/fileio", "delete", "[s]", "f0");
	OK("/iscsi", "delete", "[s]", "iqn.2025-01.org.example:t1");
	assert_int_equal(json_array_size(json_object_get(root, "targets")), 0);
	json_decref(root);
}

static void test_import(void **state)
{
	json_t *root = json_object();
	json_t *in = json_loads(
	    "{\"storage_objects\":[{\"name\":\"p\",\"plugin\":\"pscsi\",\"dev\":\"/dev/sg0\"}],"
	    "\"targets\":[{\"wwn\":\"iqn.2025-01.org.example:i\",\"fabric\":\"iscsi\",\"tpgs\":"
	    "[{\"tag\":1,\"parameters\":{\"OFMarker\":\"No\",\"MaxBurstLength\":\"65536\"},"
	    "\"luns\":[{\"index\":0,\"storage_object\":\"/backstores/pscsi/p\"}],"
	    "\"node_acls\":[{\"node_wwn\":\"iqn.2025-01.org.example:c\",\"mapped_luns\":"
	    "[{\"index\":0,\"tpg_lun\":0}]}]}]}]}",
	    0, NULL);
	struct ctl_ctx c = {.root = root, .notes = json_array()};
	json_t *tpg;
	char err[256];

	(void)state;
	assert_int_equal(ctl_import(&c, in, err, sizeof(err)), 0);
	assert_int_equal(json_array_size(c.notes), 3); /* pscsi, its LUN, OFMarker */
	tpg = json_array_get(
	    json_object_get(json_array_get(json_object_get(root, "targets"), 0), "tpgs"), 0);
	assert_int_equal(json_array_size(json_object_get(tpg, "luns")), 0);
	assert_null(json_object_get(json_object_get(tpg, "parameters"), "OFMarker"));
	assert_non_null(json_object_get(json_object_get(tpg, "parameters"), "MaxBurstLength"));
	assert_int_equal(ctl_import(&c, in, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already exists"));
	json_decref(c.notes);
	json_decref(in);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create),
	    cmocka_unit_test(test_create_errors),
	    cmocka_unit_test(test_set_and_delete),
	    cmocka_unit_test(test_import),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
