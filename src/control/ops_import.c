/* "import": a saveconfig.json written by targetcli/rtslib joins the
 * running configuration.  Storage objects of plugins Luna has (fileio,
 * block, ramdisk) and iSCSI targets come over; other plugins and fabrics,
 * and iSCSI parameters Luna does not negotiate, are reported and skipped,
 * as are the LIO attributes the configuration parser ignores (its notes
 * reach the reply).  Names that already exist are refused. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "control/ops.h"
#include "iscsi/params.h"

static void note(struct ctl_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct ctl_ctx *c, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(c->notes, json_string(buf));
}

static const char *plugin_of(json_t *so)
{
	const char *p = json_string_value(json_object_get(so, "plugin"));

	if (p == NULL)
		return "";
	if (strcmp(p, "rd_mcp") == 0)
		return json_is_true(json_object_get(so, "nullio")) ? "null" : "ramdisk";
	return strcmp(p, "iblock") == 0 ? "block" : p;
}

static int import_storage(struct ctl_ctx *c, json_t *arr, char *err, size_t errlen)
{
	size_t i;
	json_t *so;

	json_array_foreach(arr, i, so)
	{
		const char *name = json_string_value(json_object_get(so, "name"));
		const char *plugin = plugin_of(so);
		if (!json_is_object(so) || name == NULL)
			return ctl_err(err, errlen, "import: storage_objects[%zu] has no name", i);
		if (!ctl_is_plugin(plugin)) {
			note(c,
			     "storage_objects[%zu]: plugin \"%s\" is not served by Luna, "
			     "skipped (and the LUNs exporting it)",
			     i, plugin);
			continue;
		}
		if (ctl_find_so(c->root, plugin, name))
			return ctl_err(err, errlen,
				       "import: /backstores/%s/%s already exists in the running "
				       "configuration; delete it first",
				       plugin, name);
		json_array_append(ctl_array(c->root, "storage_objects"), so);
	}
	return 0;
}

/* Keep the parameters Luna negotiates and whose values are legal. */
static void filter_params(struct ctl_ctx *c, json_t *tpg, const char *where)
{
	json_t *params = json_object_get(tpg, "parameters"), *v;
	const char *key;
	void *tmp;

	json_object_foreach_safe(params, tmp, key, v)
	{
		struct iscsi_policy pol;
		char why[200];
		iscsi_policy_defaults(&pol);
		if (!json_is_string(v) ||
		    iscsi_policy_set(&pol, key, json_string_value(v), why, sizeof(why)) < 0) {
			note(c, "%s.parameters.%s: not used by Luna, skipped", where, key);
			json_object_del(params, key);
		}
	}
}

/* ACL mappings of a TPG LUN that is skipped go with it. */
static void unmap(json_t *tpg, json_int_t idx)
{
	size_t i;
	json_t *acl;

	json_array_foreach(json_object_get(tpg, "node_acls"), i, acl)
	{
		json_t *ml = json_object_get(acl, "mapped_luns");
		for (size_t j = 0; j < json_array_size(ml);) {
			if (json_integer_value(json_object_get(json_array_get(ml, j), "tpg_lun")) ==
			    idx)
				json_array_remove(ml, j);
			else
				j++;
		}
	}
}

/* LUNs whose storage object did not come over go too. */
static void drop_orphan_luns(struct ctl_ctx *c, json_t *tpg, const char *where)
{
	json_t *luns = json_object_get(tpg, "luns");
	char plugin[16], name[64];

	for (size_t k = 0; k < json_array_size(luns);) {
		const char *p =
		    json_string_value(json_object_get(json_array_get(luns, k), "storage_object"));
		if (p && sscanf(p, "/backstores/%15[^/]/%63s", plugin, name) == 2 &&
		    (ctl_find_so(c->root, plugin, name) ||
		     (strcmp(plugin, "iblock") == 0 && ctl_find_so(c->root, "block", name)) ||
		     (strcmp(plugin, "rd_mcp") == 0 && ctl_find_so(c->root, "ramdisk", name)))) {
			k++;
			continue;
		}
		note(c, "%s.luns[%zu]: storage object \"%s\" not imported, LUN skipped", where, k,
		     p ? p : "");
		unmap(tpg, json_integer_value(json_object_get(json_array_get(luns, k), "index")));
		json_array_remove(luns, k);
	}
}

static int import_targets(struct ctl_ctx *c, json_t *arr, char *err, size_t errlen)
{
	size_t i, j;
	json_t *t, *tpg;
	char where[64];

	json_array_foreach(arr, i, t)
	{
		const char *wwn = json_string_value(json_object_get(t, "wwn"));
		const char *fabric = json_string_value(json_object_get(t, "fabric"));
		if (!json_is_object(t) || wwn == NULL)
			return ctl_err(err, errlen, "import: targets[%zu] has no wwn", i);
		if (fabric && strcmp(fabric, "iscsi") != 0) {
			note(c, "targets[%zu]: fabric \"%s\" is not served by Luna, skipped", i,
			     fabric);
			continue;
		}
		if (ctl_find_target(c->root, wwn))
			return ctl_err(err, errlen,
				       "import: target %s already exists in the running "
				       "configuration; delete it first",
				       wwn);
		t = json_deep_copy(t);
		json_array_foreach(json_object_get(t, "tpgs"), j, tpg)
		{
			snprintf(where, sizeof(where), "targets[%zu].tpgs[%zu]", i, j);
			filter_params(c, tpg, where);
			drop_orphan_luns(c, tpg, where);
		}
		json_array_append_new(ctl_array(c->root, "targets"), t);
	}
	return 0;
}

static void import_fabrics(struct ctl_ctx *c, json_t *arr)
{
	size_t i, j;
	json_t *m, *old;

	json_array_foreach(arr, i, m)
	{
		const char *name = json_string_value(json_object_get(m, "name"));
		if (name == NULL || strcmp(name, "iscsi") != 0) {
			note(c, "fabric_modules[%zu]: \"%s\" is not served by Luna, skipped", i,
			     name ? name : "");
			continue;
		}
		/* The imported discovery settings replace ours. */
		json_array_foreach(ctl_array(c->root, "fabric_modules"), j, old)
		{
			const char *n = json_string_value(json_object_get(old, "name"));
			if (n && strcmp(n, "iscsi") == 0) {
				json_array_remove(json_object_get(c->root, "fabric_modules"), j);
				break;
			}
		}
		json_array_append(ctl_array(c->root, "fabric_modules"), m);
	}
}

int ctl_import(struct ctl_ctx *c, json_t *in, char *err, size_t errlen)
{
	json_t *so = json_object_get(in, "storage_objects"), *t = json_object_get(in, "targets");
	json_t *fm = json_object_get(in, "fabric_modules");

	if ((so && !json_is_array(so)) || (t && !json_is_array(t)) || (fm && !json_is_array(fm)))
		return ctl_err(err, errlen,
			       "import: storage_objects, targets and fabric_modules "
			       "must be arrays (is this a saveconfig.json?)");
	if (so == NULL && t == NULL)
		return ctl_err(err, errlen,
			       "import: no storage_objects and no targets (is this a "
			       "saveconfig.json?)");
	if (import_storage(c, so, err, errlen) < 0 || import_targets(c, t, err, errlen) < 0)
		return -1;
	import_fabrics(c, fm);
	c->changed = true;
	snprintf(c->msg, sizeof(c->msg), "Imported %zu storage object%s and %zu target%s.",
		 json_array_size(so), json_array_size(so) == 1 ? "" : "s", json_array_size(t),
		 json_array_size(t) == 1 ? "" : "s");
	return 0;
}
