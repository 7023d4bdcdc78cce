#include "lunactl/render.h"

#include <stdbool.h>
#include <string.h>

#define MAX_DEPTH 32

/* A node's line is its ancestors' marks, "o- ", its name, dots, and its
 * summary in brackets ending near the right margin.  Each ancestor marks
 * its level with "| " while siblings of it are still to come below, and
 * with "  " otherwise, as targetcli does. */
static void draw(FILE *out, json_t *node, char *prefix, size_t plen, bool more_siblings)
{
	const char *name = json_string_value(json_object_get(node, "name"));
	const char *sum = json_string_value(json_object_get(node, "summary"));
	json_t *kids = json_object_get(node, "children");
	int used, n;

	name = name ? name : "?";
	sum = sum ? sum : "";
	n = fprintf(out, "%.*so- %s ", (int)plen, prefix, name);
	used = n + (int)strlen(sum) + 3;
	for (int d = 0; d < 3 || used + d < RENDER_WIDTH - 1; d++)
		fputc('.', out);
	fprintf(out, " [%s]\n", sum);
	if (plen + 2 > 2 * MAX_DEPTH)
		return;
	memcpy(prefix + plen, more_siblings ? "| " : "  ", 2);
	for (size_t i = 0; i < json_array_size(kids); i++)
		draw(out, json_array_get(kids, i), prefix, plen + 2, i + 1 < json_array_size(kids));
}

void render_tree(FILE *out, json_t *node)
{
	char prefix[2 * MAX_DEPTH + 4] = "";

	draw(out, node, prefix, 0, false);
}
