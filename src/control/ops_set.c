/* "set" and "get": TPG attributes, iSCSI parameters (checked against their
 * legal ranges), CHAP credentials of TPGs and ACLs, discovery
 * authentication, write protection of a mapped LUN, and the size (grow
 * only) and flags of a storage object.  targetcli's spelling works:
 * "set attribute authentication=1", "set auth userid=u password=p",
 * "set discovery_auth enable=1 ..."; in the attributes, parameters and
 * auth nodes the group word may be left out. */
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "control/ops.h"
#include "iscsi/params.h"

enum group { G_NONE, G_ATTRIBUTE, G_PARAMETER, G_AUTH, G_DISCOVERY, G_STORAGE, G_MAPPED, G_TPG };

static const char *const tpg_attrs[] = {"authentication", "generate_node_acls",
					"demo_mode_write_protect", NULL};
static const char *const auth_keys[] = {"userid", "password", "mutual_userid", "mutual_password",
					NULL};
static const char *const disc_keys[] = {"enable",	 "userid",	    "password",
					"mutual_userid", "mutual_password", NULL};
static const char *const so_keys[] = {"size", "write_back", "readonly", NULL};
static const char *const mapped_keys[] = {"write_protect", NULL};
static const char *const tpg_keys[] = {"enable", NULL};

static enum group word_group(const char *w)
{
	if (strcmp(w, "attribute") == 0 || strcmp(w, "attributes") == 0)
		return G_ATTRIBUTE;
	if (strcmp(w, "parameter") == 0 || strcmp(w, "parameters") == 0)
		return G_PARAMETER;
	if (strcmp(w, "auth") == 0)
		return G_AUTH;
	if (strcmp(w, "discovery_auth") == 0)
		return G_DISCOVERY;
	return G_NONE;
}

/* Which group a set/get addresses, from the node and the first word. */
static enum group pick_group(const struct ctl_node *n, const struct ctl_args *a, unsigned *skip)
{
	enum group g = a->npos ? word_group(a->pos[0]) : G_NONE;

	*skip = g != G_NONE;
	switch (n->kind) {
	case CTL_ATTRIBUTES:
		return g == G_NONE || g == G_ATTRIBUTE ? G_ATTRIBUTE : G_NONE;
	case CTL_PARAMETERS:
		return g == G_NONE || g == G_PARAMETER ? G_PARAMETER : G_NONE;
	case CTL_AUTH:
		return g == G_NONE || g == G_AUTH ? G_AUTH : G_NONE;
	case CTL_TPG:
		return g == G_NONE ? G_TPG : g == G_DISCOVERY ? G_NONE : g;
	case CTL_ACL:
		return g == G_AUTH || (g == G_NONE && a->npos == 0) ? G_AUTH : G_NONE;
	case CTL_ISCSI:
		return g == G_DISCOVERY ? G_DISCOVERY : G_NONE;
	case CTL_BS_OBJ:
		return g == G_NONE || g == G_ATTRIBUTE ? G_STORAGE : G_NONE;
	case CTL_MAPPED_LUN:
		return g == G_NONE || g == G_ATTRIBUTE ? G_MAPPED : G_NONE;
	default:
		return G_NONE;
	}
}

static const char *const *group_keys(enum group g)
{
	switch (g) {
	case G_ATTRIBUTE:
		return tpg_attrs;
	case G_AUTH:
		return auth_keys;
	case G_DISCOVERY:
		return disc_keys;
	case G_STORAGE:
		return so_keys;
	case G_MAPPED:
		return mapped_keys;
	case G_TPG:
		return tpg_keys;
	default:
		return NULL; /* parameters: checked by the iSCSI layer's rules */
	}
}

static bool known(const char *const *keys, const char *k)
{
	for (; keys && *keys; keys++)
		if (strcmp(*keys, k) == 0)
			return true;
	return false;
}

static json_t *discovery_module(json_t *root)
{
	json_t *arr = ctl_array(root, "fabric_modules"), *m;
	size_t i;

	json_array_foreach(arr, i, m)
	{
		const char *name = json_string_value(json_object_get(m, "name"));
		if (name && strcmp(name, "iscsi") == 0)
			return m;
	}
	m = json_pack("{s:s}", "name", "iscsi");
	json_array_append_new(arr, m);
	return m;
}

/* ---- set ------------------------------------------------------------------- */

static int set_bool(json_t *o, const char *key, const char *v, bool as_int, char *err,
		    size_t errlen)
{
	bool b;

	if (ctl_parse_bool(v, &b) < 0)
		return ctl_err(err, errlen, "set: %s must be 1 or 0 (true or false), got \"%s\"",
			       key, v);
	json_object_set_new(o, key, as_int ? json_integer(b) : json_boolean(b));
	return 0;
}

static int set_secret(json_t *o, const char *prefix, const char *key, const char *v, char *err,
		      size_t errlen)
{
	char k[64];

	snprintf(k, sizeof(k), "%s%s", prefix, key);
	if (strlen(v) > 255)
		return ctl_err(err, errlen, "set: %s is longer than 255 characters", key);
	if (v[0])
		json_object_set_new(o, k, json_string(v));
	else
		json_object_del(o, k); /* "userid=" clears it */
	return 0;
}

static int set_size(struct ctl_ctx *c, json_t *so, const char *v, char *err, size_t errlen)
{
	const char *plugin = json_string_value(json_object_get(so, "plugin"));
	const char *name = json_string_value(json_object_get(so, "name"));
	uint64_t bytes, cur = ctl_so_size(c, plugin ? plugin : "", name ? name : "");

	if (parse_size(v, &bytes) < 0 || bytes == 0)
		return ctl_err(err, errlen,
			       "set: bad size \"%s\" (a number of bytes, or with K, M, G or T)", v);
	if (bytes < cur)
		return ctl_err(err, errlen,
			       "set: size %s is smaller than the current %llu bytes (storage "
			       "objects can only grow while in use)",
			       v, (unsigned long long)cur);
	json_object_set_new(so, "size", json_integer((json_int_t)bytes));
	return 0;
}

static int set_param(json_t *tpg, const char *k, const char *v, char *err, size_t errlen)
{
	struct iscsi_policy pol;
	char why[200];

	iscsi_policy_defaults(&pol);
	if (iscsi_policy_set(&pol, k, v, why, sizeof(why)) < 0)
		return ctl_err(err, errlen, "set: %s", why);
	json_object_set_new(ctl_object(tpg, "parameters"), k, json_string(v));
	return 0;
}

static int set_one(struct ctl_ctx *c, const struct ctl_node *n, enum group g, const char *k,
		   const char *v, char *err, size_t errlen)
{
	switch (g) {
	case G_ATTRIBUTE:
		return set_bool(ctl_object(n->tpg, "attributes"), k, v, true, err, errlen);
	case G_PARAMETER:
		return set_param(n->tpg, k, v, err, errlen);
	case G_AUTH:
		return set_secret(n->kind == CTL_ACL ? n->acl : n->tpg, "chap_", k, v, err, errlen);
	case G_DISCOVERY:
		if (strcmp(k, "enable") == 0)
			return set_bool(discovery_module(c->root), "discovery_enable_auth", v,
					false, err, errlen);
		return set_secret(discovery_module(c->root), "discovery_", k, v, err, errlen);
	case G_STORAGE:
		if (strcmp(k, "size") == 0)
			return set_size(c, n->so, v, err, errlen);
		return set_bool(n->so, k, v, false, err, errlen);
	case G_MAPPED:
		return set_bool(n->mlun, k, v, false, err, errlen);
	case G_TPG:
		return set_bool(n->tpg, k, v, false, err, errlen);
	default:
		return -1;
	}
}

static int bad_group(const struct ctl_node *n, const char *verb, char *err, size_t errlen)
{
	return ctl_err(err, errlen,
		       "%s: nothing to %s in %s this way (TPGs take attribute, parameter or auth; "
		       "ACLs auth; /iscsi discovery_auth; storage objects size, write_back, "
		       "readonly; mapped LUNs write_protect)",
		       verb, verb, n->path);
}

int ctl_set(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a, char *err,
	    size_t errlen)
{
	unsigned skip;
	enum group g = pick_group(n, a, &skip);
	const char *const *keys = group_keys(g);

	if (g == G_NONE)
		return bad_group(n, "set", err, errlen);
	if (a->npos > skip)
		return ctl_err(err, errlen, "set: \"%s\" is not key=value", a->pos[skip]);
	if (a->nkv == 0)
		return ctl_err(err, errlen, "set: give key=value pairs%s", "");
	for (unsigned i = 0; i < a->nkv; i++)
		if (keys && !known(keys, a->key[i]))
			return ctl_err(err, errlen, "set: unknown key \"%s\" here", a->key[i]);
	for (unsigned i = 0; i < a->nkv; i++)
		if (set_one(c, n, g, a->key[i], a->val[i], err, errlen) < 0)
			return -1;
	c->changed = true;
	snprintf(c->msg, sizeof(c->msg), "Parameter%s set.", a->nkv > 1 ? "s" : "");
	return 0;
}

/* ---- get ------------------------------------------------------------------- */

static json_t *get_group(struct ctl_ctx *c, const struct ctl_node *n, enum group g)
{
	json_t *src, *out = json_object();
	const char *prefix = "";
	const char *const *keys = group_keys(g);
	char k[64];

	switch (g) {
	case G_ATTRIBUTE:
		json_object_update(out, ctl_object(n->tpg, "attributes"));
		return out;
	case G_PARAMETER:
		json_object_update(out, ctl_object(n->tpg, "parameters"));
		return out;
	case G_AUTH:
		src = n->kind == CTL_ACL ? n->acl : n->tpg;
		prefix = "chap_";
		break;
	case G_DISCOVERY:
		src = discovery_module(c->root);
		json_object_set(out, "enable",
				json_object_get(src, "discovery_enable_auth")
				    ? json_object_get(src, "discovery_enable_auth")
				    : json_false());
		keys = auth_keys;
		prefix = "discovery_";
		break;
	case G_STORAGE:
		src = n->so;
		json_object_set_new(out, "size",
				    json_integer((json_int_t)ctl_so_size(
					c, json_string_value(json_object_get(src, "plugin")),
					json_string_value(json_object_get(src, "name")))));
		keys = so_keys + 1;
		break;
	case G_MAPPED:
		src = n->mlun;
		break;
	case G_TPG:
		src = n->tpg;
		break;
	default:
		return out;
	}
	for (; keys && *keys; keys++) {
		json_t *v;
		snprintf(k, sizeof(k), "%s%s", prefix, *keys);
		v = json_object_get(src, k);
		json_object_set_new(out, *keys, v ? json_incref(v) : json_string(""));
	}
	return out;
}

int ctl_get(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a, char *err,
	    size_t errlen)
{
	unsigned skip;
	enum group g = pick_group(n, a, &skip);
	json_t *all;

	if (g == G_NONE)
		return bad_group(n, "get", err, errlen);
	if (g == G_TPG) {
		c->result =
		    json_pack("{s:o,s:o,s:o,s:O?}", "attribute", get_group(c, n, G_ATTRIBUTE),
			      "parameter", get_group(c, n, G_PARAMETER), "auth",
			      get_group(c, n, G_AUTH), "enable", json_object_get(n->tpg, "enable"));
		return 0;
	}
	all = get_group(c, n, g);
	if (a->npos <= skip && a->nkv == 0) {
		c->result = all;
		return 0;
	}
	c->result = json_object();
	for (unsigned i = skip; i < a->npos; i++) {
		json_t *v = json_object_get(all, a->pos[i]);
		if (v == NULL) {
			json_decref(all);
			return ctl_err(err, errlen, "get: no key \"%s\" here", a->pos[i]);
		}
		json_object_set(c->result, a->pos[i], v);
	}
	json_decref(all);
	return 0;
}
