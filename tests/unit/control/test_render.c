#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lunactl/render.h"

/* The drawing targetcli users know: a branch mark "|" while siblings of an
 * ancestor are still to come, dots up to the summary at the margin. */
static void test_render(void **state)
{
	json_t *tree = json_loads(
	    "{\"name\":\"/\",\"summary\":\"...\",\"children\":["
	    " {\"name\":\"backstores\",\"summary\":\"...\",\"children\":["
	    "  {\"name\":\"fileio\",\"summary\":\"Storage Objects: 1\",\"children\":["
	    "   {\"name\":\"f0\",\"summary\":\"/tmp/f0.img (1.0GiB) "
	    "write-back\",\"children\":[]}]},"
	    "  {\"name\":\"ramdisk\",\"summary\":\"Storage Objects: 0\",\"children\":[]}]},"
	    " {\"name\":\"iscsi\",\"summary\":\"Targets: 0\",\"children\":[]}]}",
	    0, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	/* Every line ends at the same column, as targetcli's do. */
	static const char want[] =
	    "o- / .................................................................... [...]\n"
	    "  o- backstores ......................................................... [...]\n"
	    "  | o- fileio ............................................ [Storage Objects: 1]\n"
	    "  | | o- f0 ................................. [/tmp/f0.img (1.0GiB) write-back]\n"
	    "  | o- ramdisk ........................................... [Storage Objects: 0]\n"
	    "  o- iscsi ....................................................... [Targets: 0]\n";

	(void)state;
	render_tree(f, tree);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
	json_decref(tree);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_render)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
