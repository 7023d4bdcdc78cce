/* "ls": the tree as nested {"name", "summary", "children"} objects, with
 * the summaries targetcli shows in its brackets.  lunactl draws it. */
#include <stdio.h>
#include <string.h>

#include "control/ops.h"

static const char *str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void human_size(uint64_t b, char *out, size_t len)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	double v = (double)b;
	unsigned u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(out, len, "%.1f%s", v, unit[u]);
}

static bool flag(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_true(v) || (json_is_integer(v) && json_integer_value(v) != 0);
}

static void so_summary(struct ctl_ctx *c, json_t *so, char *out, size_t len)
{
	char sz[32];
	const char *plugin = str_of(so, "plugin");

	human_size(ctl_so_size(c, plugin, str_of(so, "name")), sz, sizeof(sz));
	if (strcmp(plugin, "fileio") == 0 || strcmp(plugin, "block") == 0)
		snprintf(out, len, "%s (%s) %s%s", str_of(so, "dev"), sz,
			 flag(so, "write_back") ? "write-back" : "write-thru",
			 flag(so, "readonly") ? " ro" : "");
	else
		snprintf(out, len, "(%s)", sz);
}

static void count(char *out, size_t len, const char *what, size_t n)
{
	snprintf(out, len, "%s: %zu", what, n);
}

static void acl_summary(json_t *acl, char *out, size_t len)
{
	const char *auth = json_object_get(acl, "chap_mutual_userid") ? "Mutual auth"
			   : json_object_get(acl, "chap_userid")      ? "1-way auth"
								      : "No auth";

	snprintf(out, len, "%s, Mapped LUNs: %zu", auth,
		 json_array_size(json_object_get(acl, "mapped_luns")));
}

static void tpg_summary(json_t *tpg, char *out, size_t len)
{
	json_t *at = json_object_get(tpg, "attributes");

	snprintf(out, len, "%s%s, %s",
		 json_is_false(json_object_get(tpg, "enable")) ? "disabled, " : "",
		 flag(at, "generate_node_acls") ? "gen-acls" : "no-gen-acls",
		 flag(at, "authentication") ? "auth" : "no-auth");
}

static void mapped_summary(json_t *tpg, json_t *ml, char *out, size_t len)
{
	long t = (long)json_integer_value(json_object_get(ml, "tpg_lun"));
	json_t *lun = ctl_find_by_index(json_object_get(tpg, "luns"), t);
	const char *sop = str_of(lun, "storage_object");

	snprintf(out, len, "lun%ld %s (%s)", t,
		 strncmp(sop, "/backstores/", 12) == 0 ? sop + 12 : sop,
		 flag(ml, "write_protect") ? "ro" : "rw");
}

static void summary(struct ctl_ctx *c, const struct ctl_node *n, char *out, size_t len)
{
	json_t *kids;

	switch (n->kind) {
	case CTL_BS_TYPE:
		kids = ctl_children(c->root, n);
		count(out, len, "Storage Objects", json_array_size(kids));
		json_decref(kids);
		return;
	case CTL_BS_OBJ:
		so_summary(c, n->so, out, len);
		return;
	case CTL_ISCSI:
		count(out, len, "Targets", json_array_size(json_object_get(c->root, "targets")));
		return;
	case CTL_TARGET:
		count(out, len, "TPGs", json_array_size(json_object_get(n->target, "tpgs")));
		return;
	case CTL_TPG:
		tpg_summary(n->tpg, out, len);
		return;
	case CTL_LUNS:
		count(out, len, "LUNs", json_array_size(json_object_get(n->tpg, "luns")));
		return;
	case CTL_LUN: {
		const char *sop = str_of(n->lun, "storage_object");
		snprintf(out, len, "%s", strncmp(sop, "/backstores/", 12) == 0 ? sop + 12 : sop);
		return;
	}
	case CTL_PORTALS:
		count(out, len, "Portals", json_array_size(json_object_get(n->tpg, "portals")));
		return;
	case CTL_PORTAL:
		snprintf(out, len, "OK");
		return;
	case CTL_ACLS:
		count(out, len, "ACLs", json_array_size(json_object_get(n->tpg, "node_acls")));
		return;
	case CTL_ACL:
		acl_summary(n->acl, out, len);
		return;
	case CTL_MAPPED_LUN:
		mapped_summary(n->tpg, n->mlun, out, len);
		return;
	default:
		snprintf(out, len, "...");
	}
}

/* The TPG groups that hold settings, not objects, stay out of the drawing
 * (as in targetcli); they are still reachable by path. */
static bool drawn(const struct ctl_node *parent, const char *name)
{
	return parent->kind != CTL_TPG ||
	       (strcmp(name, "attributes") != 0 && strcmp(name, "parameters") != 0 &&
		strcmp(name, "auth") != 0);
}

json_t *ctl_ls(struct ctl_ctx *c, const struct ctl_node *n, int depth)
{
	char sum[512], path[CTL_PATH_MAX + 300], err[64];
	const char *base = strrchr(n->path, '/');
	json_t *o, *kids, *arr = json_array(), *v;
	size_t i;

	summary(c, n, sum, sizeof(sum));
	o = json_pack("{s:s,s:s,s:s}", "name", n->path[1] ? base + 1 : "/", "path", n->path,
		      "summary", sum);
	if (depth == 0) {
		json_decref(arr);
		return o;
	}
	kids = ctl_children(c->root, n);
	json_array_foreach(kids, i, v)
	{
		struct ctl_node child;
		if (!drawn(n, json_string_value(v)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", n->path[1] ? n->path : "",
			 json_string_value(v));
		if (ctl_resolve(c->root, path, &child, err, sizeof(err)) == 0)
			json_array_append_new(arr, ctl_ls(c, &child, depth < 0 ? -1 : depth - 1));
	}
	json_decref(kids);
	json_object_set_new(o, "children", arr);
	return o;
}
