#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "control/request.h"

static void parse_fails(const char *line, const char *msg)
{
	struct ctl_request req;
	char err[256];

	assert_int_equal(ctl_request_parse(line, strlen(line), &req, err, sizeof(err)), -1);
	assert_non_null(strstr(err, msg));
}

static void test_parse(void **state)
{
	static const char line[] = "{\"cmd\":\"create\",\"path\":\"/iscsi\",\"args\":[\"wwn=x\"]}";
	struct ctl_request req;
	char err[256];

	(void)state;
	assert_int_equal(ctl_request_parse(line, strlen(line), &req, err, sizeof(err)), 0);
	assert_string_equal(req.cmd, "create");
	assert_string_equal(req.path, "/iscsi");
	assert_int_equal(json_array_size(req.args), 1);
	ctl_request_free(&req);
	assert_int_equal(ctl_request_parse("{\"cmd\":\"ls\"}", 12, &req, err, sizeof(err)), 0);
	assert_string_equal(req.path, "/");
	ctl_request_free(&req);
}

static void test_parse_errors(void **state)
{
	char *big;

	(void)state;
	parse_fails("{\"cmd\":", "malformed JSON");
	parse_fails("[]", "must be a JSON object");
	parse_fails("{}", "no \"cmd\"");
	parse_fails("{\"cmd\":\"\"}", "no \"cmd\"");
	parse_fails("{\"cmd\":\"ls\",\"path\":3}", "\"path\" must be a string");
	parse_fails("{\"cmd\":\"ls\",\"path\":\"iscsi\"}", "absolute");
	parse_fails("{\"cmd\":\"ls\",\"args\":\"x\"}", "array of strings");
	parse_fails("{\"cmd\":\"ls\",\"args\":[null]}", "array of strings");
	parse_fails("{\"cmd\":\"import\",\"config\":[]}", "\"config\" must be a JSON object");
	parse_fails("{\"cmd\":\"saveconfig\",\"file\":\"rel\"}", "absolute");
	parse_fails("{\"cmd\":\"ls\",\"cmd\":\"ls\"}", "malformed JSON");
	big = malloc(CTL_REQUEST_MAX + 2);
	memset(big, ' ', CTL_REQUEST_MAX + 1);
	big[CTL_REQUEST_MAX + 1] = '\0';
	parse_fails(big, "longer than 1 MiB");
	free(big);
}

static void test_args(void **state)
{
	static const char *const names[] = {"name", "file_or_dev", "size", NULL};
	json_t *args = json_pack("[s,s,s]", "f0", "size=1G", "/tmp/x");
	struct ctl_args a;
	char err[256];

	(void)state;
	assert_int_equal(ctl_args_parse(args, &a, err, sizeof(err)), 0);
	assert_int_equal(ctl_args_check(&a, names, "create", err, sizeof(err)), 0);
	assert_string_equal(ctl_arg(&a, names, "name"), "f0");
	assert_string_equal(ctl_arg(&a, names, "file_or_dev"), "/tmp/x");
	assert_string_equal(ctl_arg(&a, names, "size"), "1G");
	ctl_args_free(&a);
	json_decref(args);
}

static void test_args_errors(void **state)
{
	static const char *const names[] = {"name", "size", NULL};
	json_t *unknown = json_pack("[s,s]", "r0", "colour=red");
	json_t *many = json_pack("[s,s,s]", "r0", "1G", "extra");
	json_t *twice = json_pack("[s,s]", "r0", "name=r1");
	struct ctl_args a;
	char err[256];

	(void)state;
	assert_int_equal(ctl_args_parse(unknown, &a, err, sizeof(err)), 0);
	assert_int_equal(ctl_args_check(&a, names, "create", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown parameter \"colour\"; it takes: name size"));
	ctl_args_free(&a);
	assert_int_equal(ctl_args_parse(many, &a, err, sizeof(err)), 0);
	assert_int_equal(ctl_args_check(&a, names, "create", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many arguments (\"extra\")"));
	ctl_args_free(&a);
	assert_int_equal(ctl_args_parse(twice, &a, err, sizeof(err)), 0);
	assert_int_equal(ctl_args_check(&a, names, "create", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "given twice"));
	ctl_args_free(&a);
	json_decref(unknown);
	json_decref(many);
	json_decref(twice);
}

static void test_bool_and_reply(void **state)
{
	bool b;
	char *r;

	(void)state;
	assert_int_equal(ctl_parse_bool("Yes", &b), 0);
	assert_true(b);
	assert_int_equal(ctl_parse_bool("0", &b), 0);
	assert_false(b);
	assert_int_equal(ctl_parse_bool("maybe", &b), -1);
	r = ctl_reply_error("no \"such\" thing");
	assert_string_equal(r, "{\"ok\":false,\"error\":\"no \\\"such\\\" thing\"}\n");
	free(r);
	r = ctl_reply_ok("done", NULL, NULL);
	assert_string_equal(r, "{\"ok\":true,\"message\":\"done\"}\n");
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),	   cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_args),	   cmocka_unit_test(test_args_errors),
	    cmocka_unit_test(test_bool_and_reply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
