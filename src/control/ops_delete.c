/* "delete", with targetcli's cascades: deleting a storage object removes
 * the LUNs that export it, deleting a LUN removes the ACL mappings of it.
 * Live sessions lose the LUNs through the new LUN maps that activation
 * pushes (REPORTED LUNS DATA HAS CHANGED). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ops.h"

static void remove_item(json_t *arr, json_t *item)
{
	size_t i;
	json_t *o;

	json_array_foreach(arr, i, o)
	{
		if (o == item) {
			json_array_remove(arr, i);
			return;
		}
	}
}

/* Drop every ACL mapping of TPG LUN idx. */
static void unmap_lun(json_t *tpg, long idx)
{
	size_t i, j;
	json_t *acl, *ml;

	json_array_foreach(json_object_get(tpg, "node_acls"), i, acl)
	{
		json_t *arr = json_object_get(acl, "mapped_luns");
		for (j = 0; j < json_array_size(arr);) {
			ml = json_array_get(arr, j);
			if (json_integer_value(json_object_get(ml, "tpg_lun")) == idx)
				json_array_remove(arr, j);
			else
				j++;
		}
	}
}

static void remove_lun(json_t *tpg, json_t *lun)
{
	unmap_lun(tpg, (long)json_integer_value(json_object_get(lun, "index")));
	remove_item(json_object_get(tpg, "luns"), lun);
}

/* Remove the LUNs of every TPG that export spath. */
static unsigned drop_exports(json_t *root, const char *spath)
{
	size_t i, j, k;
	json_t *t, *tpg;
	unsigned n = 0;

	json_array_foreach(json_object_get(root, "targets"), i, t)
	{
		json_array_foreach(json_object_get(t, "tpgs"), j, tpg)
		{
			json_t *luns = json_object_get(tpg, "luns");
			for (k = 0; k < json_array_size(luns);) {
				json_t *l = json_array_get(luns, k);
				const char *p =
				    json_string_value(json_object_get(l, "storage_object"));
				if (p && strcmp(p, spath) == 0) {
					remove_lun(tpg, l);
					n++;
				} else {
					k++;
				}
			}
		}
	}
	return n;
}

static long number_arg(const char *s, const char *prefix)
{
	char *e;
	long v;

	if (s == NULL)
		return -1;
	if (strncmp(s, prefix, strlen(prefix)) == 0)
		s += strlen(prefix);
	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &e, 10);
	return *e ? -1 : v;
}

static int delete_in(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a,
		     char *err, size_t errlen)
{
	static const char *const by_name[] = {"name", NULL}, *const by_wwn[] = {"wwn", NULL};
	static const char *const by_tag[] = {"tag", NULL}, *const by_lun[] = {"lun", NULL};
	static const char *const by_portal[] = {"ip_address", "ip_port", NULL};
	static const char *const by_mapped[] = {"mapped_lun", NULL};
	char spath[CTL_PATH_MAX + 80], ip[64];
	json_t *item;
	const char *s;
	long v;

	switch (n->kind) {
	case CTL_BS_TYPE:
		if (ctl_args_check(a, by_name, "delete", err, errlen) < 0)
			return -1;
		s = ctl_arg(a, by_name, "name");
		item = s ? ctl_find_so(c->root, n->plugin, s) : NULL;
		if (item == NULL)
			return ctl_err(err, errlen, "delete: no storage object %s/%s", n->path,
				       s ? s : "(name missing)");
		snprintf(spath, sizeof(spath), "%s/%s", n->path, s);
		v = drop_exports(c->root, spath);
		remove_item(json_object_get(c->root, "storage_objects"), item);
		snprintf(c->msg, sizeof(c->msg), "Deleted storage object %s%s.", s,
			 v ? " and the LUNs that exported it" : "");
		return 0;
	case CTL_ISCSI:
		if (ctl_args_check(a, by_wwn, "delete", err, errlen) < 0)
			return -1;
		s = ctl_arg(a, by_wwn, "wwn");
		item = s ? ctl_find_target(c->root, s) : NULL;
		if (item == NULL)
			return ctl_err(err, errlen, "delete: no target %s",
				       s ? s : "(wwn missing)");
		remove_item(json_object_get(c->root, "targets"), item);
		snprintf(c->msg, sizeof(c->msg), "Deleted Target %s.", s);
		return 0;
	case CTL_TARGET:
		if (ctl_args_check(a, by_tag, "delete", err, errlen) < 0)
			return -1;
		v = number_arg(ctl_arg(a, by_tag, "tag"), "tpg");
		item = v >= 0 ? ctl_find_tpg(n->target, v) : NULL;
		if (item == NULL)
			return ctl_err(err, errlen, "delete: no such TPG in %s", n->path);
		remove_item(json_object_get(n->target, "tpgs"), item);
		snprintf(c->msg, sizeof(c->msg), "Deleted TPG %ld.", v);
		return 0;
	case CTL_LUNS:
		if (ctl_args_check(a, by_lun, "delete", err, errlen) < 0)
			return -1;
		v = number_arg(ctl_arg(a, by_lun, "lun"), "lun");
		item = v >= 0 ? ctl_find_by_index(json_object_get(n->tpg, "luns"), v) : NULL;
		if (item == NULL)
			return ctl_err(err, errlen, "delete: no such LUN in %s", n->path);
		remove_lun(n->tpg, item);
		snprintf(c->msg, sizeof(c->msg), "Deleted LUN %ld.", v);
		return 0;
	case CTL_PORTALS:
		if (ctl_args_check(a, by_portal, "delete", err, errlen) < 0)
			return -1;
		s = ctl_arg(a, by_portal, "ip_address");
		v = number_arg(ctl_arg(a, by_portal, "ip_port") ? ctl_arg(a, by_portal, "ip_port")
								: "3260",
			       "");
		snprintf(ip, sizeof(ip), "%s", s ? s : "");
		if (ip[0] == '[' && strlen(ip) > 2) { /* "[::1]" */
			memmove(ip, ip + 1, strlen(ip));
			ip[strlen(ip) - 1] = '\0';
		}
		item = s ? ctl_find_portal(n->tpg, ip, v) : NULL;
		if (item == NULL)
			return ctl_err(err, errlen, "delete: no portal %s port %ld in %s",
				       s ? s : "(ip_address missing)", v, n->path);
		remove_item(json_object_get(n->tpg, "portals"), item);
		snprintf(c->msg, sizeof(c->msg), "Deleted network portal %s:%ld.", s, v);
		return 0;
	case CTL_ACLS:
		if (ctl_args_check(a, by_wwn, "delete", err, errlen) < 0)
			return -1;
		s = ctl_arg(a, by_wwn, "wwn");
		item = s ? ctl_find_acl(n->tpg, s) : NULL;
		if (item == NULL)
			return ctl_err(err, errlen, "delete: no ACL for %s",
				       s ? s : "(wwn missing)");
		remove_item(json_object_get(n->tpg, "node_acls"), item);
		snprintf(c->msg, sizeof(c->msg), "Deleted Node ACL %s.", s);
		return 0;
	case CTL_ACL:
		if (ctl_args_check(a, by_mapped, "delete", err, errlen) < 0)
			return -1;
		v = number_arg(ctl_arg(a, by_mapped, "mapped_lun"), "mapped_lun");
		item = v >= 0 ? ctl_find_by_index(json_object_get(n->acl, "mapped_luns"), v) : NULL;
		if (item == NULL)
			return ctl_err(err, errlen, "delete: no such mapped LUN in %s", n->path);
		remove_item(json_object_get(n->acl, "mapped_luns"), item);
		snprintf(c->msg, sizeof(c->msg), "Deleted Mapped LUN %ld.", v);
		return 0;
	default:
		return ctl_err(err, errlen,
			       "delete: nothing can be deleted in %s (go to the parent: e.g. "
			       "/backstores/fileio delete NAME)",
			       n->path);
	}
}

int ctl_delete(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a, char *err,
	       size_t errlen)
{
	int r = delete_in(c, n, a, err, errlen);

	if (r == 0)
		c->changed = true;
	return r;
}
