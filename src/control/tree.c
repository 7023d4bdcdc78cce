/* Path handling and lookups for the management tree (see tree.h). */
#include "control/tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const plugins[] = {"block", "fileio", "null", "ramdisk", NULL};
static const char *const tpg_groups[] = {"acls",       "attributes", "auth", "luns",
					 "parameters", "portals",    NULL};

bool ctl_is_plugin(const char *s)
{
	for (unsigned i = 0; plugins[i]; i++)
		if (strcmp(s, plugins[i]) == 0)
			return true;
	return false;
}

int ctl_path_normalize(const char *cwd, const char *path, char *out, size_t outlen)
{
	char buf[2 * CTL_PATH_MAX + 2];
	size_t len = 0;

	if (path[0] == '/')
		snprintf(buf, sizeof(buf), "%s", path);
	else
		snprintf(buf, sizeof(buf), "%s/%s", cwd ? cwd : "/", path);
	if (outlen < 2)
		return -1;
	out[0] = '\0';
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		size_t n = strlen(c);
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* the slash */
			out[len] = '\0';
			continue;
		}
		if (len + 1 + n + 1 > outlen)
			return -1;
		out[len++] = '/';
		memcpy(out + len, c, n + 1);
		len += n;
	}
	if (len == 0)
		snprintf(out, outlen, "/");
	return 0;
}

json_t *ctl_array(json_t *obj, const char *key)
{
	json_t *a = json_object_get(obj, key);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(obj, key, a);
	}
	return a;
}

json_t *ctl_object(json_t *obj, const char *key)
{
	json_t *o = json_object_get(obj, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(obj, key, o);
	}
	return o;
}

static const char *str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

json_t *ctl_find_so(json_t *root, const char *plugin, const char *name)
{
	size_t i;
	json_t *so;

	json_array_foreach(json_object_get(root, "storage_objects"), i, so)
	{
		if (strcmp(str_of(so, "plugin"), plugin) == 0 &&
		    strcmp(str_of(so, "name"), name) == 0)
			return so;
	}
	return NULL;
}

json_t *ctl_find_target(json_t *root, const char *wwn)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(root, "targets"), i, t)
	{
		if (strcmp(str_of(t, "wwn"), wwn) == 0)
			return t;
	}
	return NULL;
}

json_t *ctl_find_by_index(json_t *arr, long index)
{
	size_t i;
	json_t *o;

	json_array_foreach(arr, i, o)
	{
		if (json_integer_value(json_object_get(o, "index")) == index)
			return o;
	}
	return NULL;
}

json_t *ctl_find_tpg(json_t *target, long tag)
{
	size_t i;
	json_t *o;

	json_array_foreach(json_object_get(target, "tpgs"), i, o)
	{
		if (json_integer_value(json_object_get(o, "tag")) == tag)
			return o;
	}
	return NULL;
}

json_t *ctl_find_acl(json_t *tpg, const char *wwn)
{
	size_t i;
	json_t *o;

	json_array_foreach(json_object_get(tpg, "node_acls"), i, o)
	{
		if (strcmp(str_of(o, "node_wwn"), wwn) == 0)
			return o;
	}
	return NULL;
}

json_t *ctl_find_portal(json_t *tpg, const char *ip, long port)
{
	size_t i;
	json_t *o;

	json_array_foreach(json_object_get(tpg, "portals"), i, o)
	{
		if (strcmp(str_of(o, "ip_address"), ip) == 0 &&
		    json_integer_value(json_object_get(o, "port")) == port)
			return o;
	}
	return NULL;
}

void ctl_portal_name(const char *ip, long port, char *out, size_t outlen)
{
	if (strchr(ip, ':'))
		snprintf(out, outlen, "[%s]:%ld", ip, port);
	else
		snprintf(out, outlen, "%s:%ld", ip, port);
}

int ctl_portal_parse(const char *name, char *ip, size_t iplen, long *port)
{
	const char *colon = strrchr(name, ':');
	const char *start = name, *end = colon;
	char *e;

	if (colon == NULL || colon == name)
		return -1;
	if (name[0] == '[') {
		if (colon[-1] != ']')
			return -1;
		start = name + 1;
		end = colon - 1;
	}
	if ((size_t)(end - start) >= iplen || end <= start)
		return -1;
	snprintf(ip, iplen, "%.*s", (int)(end - start), start);
	*port = strtol(colon + 1, &e, 10);
	return *e == '\0' && e != colon + 1 && *port > 0 && *port < 65536 ? 0 : -1;
}

/* "tpg1" -> 1, "lun12" -> 12; -1 if c is not prefix + a number. */
static long numbered(const char *c, const char *prefix)
{
	size_t n = strlen(prefix);
	char *e;
	long v;

	if (strncmp(c, prefix, n) != 0 || c[n] < '0' || c[n] > '9')
		return -1;
	v = strtol(c + n, &e, 10);
	return *e == '\0' && v >= 0 ? v : -1;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* One step down from n by the component c.  Returns false if there is no
 * such child. */
static bool step(json_t *root, struct ctl_node *n, const char *c)
{
	long v;
	char ip[64];

	switch (n->kind) {
	case CTL_ROOT:
		if (strcmp(c, "backstores") == 0)
			n->kind = CTL_BACKSTORES;
		else if (strcmp(c, "iscsi") == 0)
			n->kind = CTL_ISCSI;
		else
			return false;
		return true;
	case CTL_BACKSTORES:
		if (!ctl_is_plugin(c))
			return false;
		snprintf(n->plugin, sizeof(n->plugin), "%s", c);
		n->kind = CTL_BS_TYPE;
		return true;
	case CTL_BS_TYPE:
		n->so = ctl_find_so(root, n->plugin, c);
		n->kind = CTL_BS_OBJ;
		return n->so != NULL;
	case CTL_ISCSI:
		n->target = ctl_find_target(root, c);
		n->kind = CTL_TARGET;
		return n->target != NULL;
	case CTL_TARGET:
		v = numbered(c, "tpg");
		n->tpg = v < 0 ? NULL : ctl_find_tpg(n->target, v);
		n->kind = CTL_TPG;
		return n->tpg != NULL;
	case CTL_TPG:
		if (!in_list(c, tpg_groups))
			return false;
		n->kind = strcmp(c, "luns") == 0	 ? CTL_LUNS
			  : strcmp(c, "portals") == 0	 ? CTL_PORTALS
			  : strcmp(c, "acls") == 0	 ? CTL_ACLS
			  : strcmp(c, "attributes") == 0 ? CTL_ATTRIBUTES
			  : strcmp(c, "parameters") == 0 ? CTL_PARAMETERS
							 : CTL_AUTH;
		return true;
	case CTL_LUNS:
		v = numbered(c, "lun");
		n->lun = v < 0 ? NULL : ctl_find_by_index(json_object_get(n->tpg, "luns"), v);
		n->kind = CTL_LUN;
		return n->lun != NULL;
	case CTL_PORTALS:
		n->portal = ctl_portal_parse(c, ip, sizeof(ip), &v) < 0
				? NULL
				: ctl_find_portal(n->tpg, ip, v);
		n->kind = CTL_PORTAL;
		return n->portal != NULL;
	case CTL_ACLS:
		n->acl = ctl_find_acl(n->tpg, c);
		n->kind = CTL_ACL;
		return n->acl != NULL;
	case CTL_ACL:
		v = numbered(c, "mapped_lun");
		n->mlun =
		    v < 0 ? NULL : ctl_find_by_index(json_object_get(n->acl, "mapped_luns"), v);
		n->kind = CTL_MAPPED_LUN;
		return n->mlun != NULL;
	default:
		return false;
	}
}

int ctl_resolve(json_t *root, const char *path, struct ctl_node *out, char *err, size_t errlen)
{
	char canon[CTL_PATH_MAX], buf[CTL_PATH_MAX];
	size_t done = 0;

	memset(out, 0, sizeof(*out));
	if (path == NULL || path[0] != '/' ||
	    ctl_path_normalize("/", path, canon, sizeof(canon)) < 0) {
		snprintf(err, errlen, "\"%s\" is not an absolute path (one starts with /)",
			 path ? path : "");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", canon);
	out->kind = CTL_ROOT;
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!step(root, out, c)) {
			snprintf(err, errlen, "no such path: %s (nothing called \"%s\" in %.*s)",
				 canon, c, done ? (int)done : 1, done ? canon : "/");
			return -1;
		}
		done = (size_t)(c - buf) + strlen(c);
	}
	snprintf(out->path, sizeof(out->path), "%s", canon);
	return 0;
}

static void add_names(json_t *out, json_t *arr, const char *key, const char *prefix)
{
	size_t i;
	json_t *o;
	char name[300];

	json_array_foreach(arr, i, o)
	{
		json_t *v = json_object_get(o, key);
		if (json_is_integer(v))
			snprintf(name, sizeof(name), "%s%lld", prefix,
				 (long long)json_integer_value(v));
		else
			snprintf(name, sizeof(name), "%s%s", prefix, str_of(o, key));
		json_array_append_new(out, json_string(name));
	}
}

json_t *ctl_children(json_t *root, const struct ctl_node *n)
{
	json_t *out = json_array(), *o;
	size_t i;
	char name[100];

	switch (n->kind) {
	case CTL_ROOT:
		json_array_append_new(out, json_string("backstores"));
		json_array_append_new(out, json_string("iscsi"));
		break;
	case CTL_BACKSTORES:
		for (i = 0; plugins[i]; i++)
			json_array_append_new(out, json_string(plugins[i]));
		break;
	case CTL_BS_TYPE:
		json_array_foreach(json_object_get(root, "storage_objects"), i, o)
		{
			if (strcmp(str_of(o, "plugin"), n->plugin) == 0)
				json_array_append_new(out, json_string(str_of(o, "name")));
		}
		break;
	case CTL_ISCSI:
		add_names(out, json_object_get(root, "targets"), "wwn", "");
		break;
	case CTL_TARGET:
		add_names(out, json_object_get(n->target, "tpgs"), "tag", "tpg");
		break;
	case CTL_TPG:
		for (i = 0; tpg_groups[i]; i++)
			json_array_append_new(out, json_string(tpg_groups[i]));
		break;
	case CTL_LUNS:
		add_names(out, json_object_get(n->tpg, "luns"), "index", "lun");
		break;
	case CTL_PORTALS:
		json_array_foreach(json_object_get(n->tpg, "portals"), i, o)
		{
			ctl_portal_name(str_of(o, "ip_address"),
					(long)json_integer_value(json_object_get(o, "port")), name,
					sizeof(name));
			json_array_append_new(out, json_string(name));
		}
		break;
	case CTL_ACLS:
		add_names(out, json_object_get(n->tpg, "node_acls"), "node_wwn", "");
		break;
	case CTL_ACL:
		add_names(out, json_object_get(n->acl, "mapped_luns"), "index", "mapped_lun");
		break;
	default:
		break;
	}
	return out;
}
