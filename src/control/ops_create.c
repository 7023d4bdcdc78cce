/* "create": storage objects, targets, TPGs, LUNs, portals, ACLs and mapped
 * LUNs, with targetcli's parameter names.  Only the obvious mistakes are
 * caught here, with messages in the tree's words; the configuration
 * parser validates the result as a whole before anything changes. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/names.h"
#include "control/ops.h"
#include "iscsi/chap.h"

#define MAX_LUN 16383

static int parse_index(const char *s, long max, long *out)
{
	char *e;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	*out = strtol(s, &e, 10);
	return *e == '\0' && *out <= max ? 0 : -1;
}

static int set_bool_arg(json_t *o, const char *key, const char *v, const char *what, char *err,
			size_t errlen)
{
	bool b;

	if (v == NULL)
		return 0;
	if (ctl_parse_bool(v, &b) < 0)
		return ctl_err(err, errlen, "%s: %s must be true or false, got \"%s\"", what, key,
			       v);
	json_object_set_new(o, key, json_boolean(b));
	return 0;
}

/* ---- backstores ---------------------------------------------------------- */

static const char *const fileio_args[] = {"name",   "file_or_dev", "size", "write_back",
					  "sparse", "wwn",	   NULL};
static const char *const block_args[] = {"name", "dev", "readonly", "wwn", NULL};
static const char *const ram_args[] = {"name", "size", "nullio", "wwn", NULL};
static const char *const null_args[] = {"name", "size", "wwn", NULL};

static const char *const *bs_args(const char *plugin)
{
	if (strcmp(plugin, "fileio") == 0)
		return fileio_args;
	if (strcmp(plugin, "block") == 0)
		return block_args;
	return strcmp(plugin, "ramdisk") == 0 ? ram_args : null_args;
}

static int bs_size(json_t *so, const char *plugin, const char *size, char *err, size_t errlen)
{
	uint64_t bytes;
	bool needed = strcmp(plugin, "ramdisk") == 0 || strcmp(plugin, "null") == 0;

	if (size == NULL) {
		if (needed)
			return ctl_err(err, errlen, "create: a %s needs a size (e.g. size=1G)",
				       plugin);
		return 0;
	}
	if (parse_size(size, &bytes) < 0 || bytes == 0)
		return ctl_err(err, errlen,
			       "create: bad size \"%s\" (a number of bytes, or with K, M, G or T)",
			       size);
	if (bytes < 512)
		return ctl_err(err, errlen, "create: size %s is smaller than one 512-byte block",
			       size);
	json_object_set_new(so, "size", json_integer((json_int_t)bytes));
	return 0;
}

static int create_bs(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a,
		     char *err, size_t errlen)
{
	const char *const *names = bs_args(n->plugin);
	const char *name = ctl_arg(a, names, "name");
	const char *dev =
	    ctl_arg(a, names, strcmp(n->plugin, "fileio") == 0 ? "file_or_dev" : "dev");
	const char *wwn = ctl_arg(a, names, "wwn");
	json_t *so;

	if (ctl_args_check(a, names, "create", err, errlen) < 0)
		return -1;
	if (name == NULL || !storage_name_valid(name))
		return ctl_err(err, errlen,
			       "create: %s name \"%s\" (1 to 63 of A-Z a-z 0-9 _ . : -)",
			       name ? "bad" : "missing", name ? name : "");
	if (ctl_find_so(c->root, n->plugin, name))
		return ctl_err(err, errlen, "create: %s/%s already exists", n->path, name);
	if (names == fileio_args || names == block_args) {
		if (dev == NULL || dev[0] != '/')
			return ctl_err(err, errlen, "create: %s must be an absolute path",
				       names == fileio_args ? "file_or_dev" : "dev");
	}
	so = json_pack("{s:s,s:s}", "name", name, "plugin", n->plugin);
	if (dev)
		json_object_set_new(so, "dev", json_string(dev));
	if (wwn)
		json_object_set_new(so, "wwn", json_string(wwn));
	if (bs_size(so, n->plugin, ctl_arg(a, names, "size"), err, errlen) < 0 ||
	    set_bool_arg(so, "write_back", ctl_arg(a, names, "write_back"), "create", err, errlen) <
		0 ||
	    set_bool_arg(so, "readonly", ctl_arg(a, names, "readonly"), "create", err, errlen) <
		0 ||
	    (ctl_arg(a, names, "sparse") &&
	     set_bool_arg(so, "thin", ctl_arg(a, names, "sparse"), "create", err, errlen) < 0)) {
		json_decref(so);
		return -1;
	}
	if (ctl_arg(a, names, "nullio")) {
		bool b = false;
		if (ctl_parse_bool(ctl_arg(a, names, "nullio"), &b) < 0) {
			json_decref(so);
			return ctl_err(err, errlen, "create: nullio must be true or false");
		}
		if (b)
			json_object_set_new(so, "plugin", json_string("null"));
	}
	json_array_append_new(ctl_array(c->root, "storage_objects"), so);
	snprintf(c->msg, sizeof(c->msg), "Created %s storage object %s.", n->plugin, name);
	return 0;
}

/* ---- targets and TPGs ------------------------------------------------------- */

static json_t *new_tpg(long tag)
{
	return json_pack("{s:I,s:b,s:{s:i,s:i,s:i},s:{},s:[],s:[],s:[]}", "tag", (json_int_t)tag,
			 "enable", 1, "attributes", "authentication", 0, "generate_node_acls", 0,
			 "demo_mode_write_protect", 1, "parameters", "portals", "luns",
			 "node_acls");
}

static int create_target(struct ctl_ctx *c, const struct ctl_args *a, char *err, size_t errlen)
{
	static const char *const names[] = {"wwn", NULL};
	const char *wwn = ctl_arg(a, names, "wwn");
	char gen[64], why[128];
	uint8_t rnd[6];
	json_t *t, *tpgs;

	if (ctl_args_check(a, names, "create", err, errlen) < 0)
		return -1;
	if (wwn == NULL) {
		/* Like targetcli: a unique name when none is given. */
		if (chap_random(rnd, sizeof(rnd)) < 0)
			return ctl_err(err, errlen, "create: no random numbers for a target name");
		snprintf(gen, sizeof(gen), "iqn.2025-01.io.luna:sn.%02x%02x%02x%02x%02x%02x",
			 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
		wwn = gen;
	}
	if (!iscsi_name_valid(wwn, why, sizeof(why)))
		return ctl_err(err, errlen, "create: \"%s\" is not a valid iSCSI name: %s", wwn,
			       why);
	if (ctl_find_target(c->root, wwn))
		return ctl_err(err, errlen, "create: target %s already exists", wwn);
	tpgs = json_array();
	json_array_append_new(tpgs, new_tpg(1));
	t = json_pack("{s:s,s:s,s:o}", "wwn", wwn, "fabric", "iscsi", "tpgs", tpgs);
	json_array_append_new(ctl_array(c->root, "targets"), t);
	snprintf(c->msg, sizeof(c->msg), "Created target %s.\nCreated TPG 1.", wwn);
	c->result = json_pack("{s:s}", "wwn", wwn);
	return 0;
}

static int create_tpg(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a,
		      char *err, size_t errlen)
{
	static const char *const names[] = {"tag", NULL};
	const char *s = ctl_arg(a, names, "tag");
	long tag = 1;

	if (ctl_args_check(a, names, "create", err, errlen) < 0)
		return -1;
	if (s && (parse_index(s, 65535, &tag) < 0 || tag == 0))
		return ctl_err(err, errlen, "create: tag must be a number from 1 to 65535");
	if (s == NULL)
		while (ctl_find_tpg(n->target, tag))
			tag++;
	if (ctl_find_tpg(n->target, tag))
		return ctl_err(err, errlen, "create: tpg%ld already exists", tag);
	json_array_append_new(ctl_array(n->target, "tpgs"), new_tpg(tag));
	snprintf(c->msg, sizeof(c->msg), "Created TPG %ld.", tag);
	return 0;
}

/* ---- LUNs, portals, ACLs ----------------------------------------------------- */

static void map_lun(json_t *acl, long tpg_lun, bool wp)
{
	json_t *ml = ctl_array(acl, "mapped_luns");
	long idx = ctl_find_by_index(ml, tpg_lun) ? ctl_lowest_free_index(ml) : tpg_lun;

	json_array_append_new(ml, json_pack("{s:I,s:I,s:b}", "index", (json_int_t)idx, "tpg_lun",
					    (json_int_t)tpg_lun, "write_protect", wp));
}

static int create_lun(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a,
		      char *err, size_t errlen)
{
	static const char *const names[] = {"storage_object", "lun", "add_mapped_luns", NULL};
	const char *sop = ctl_arg(a, names, "storage_object"), *ls = ctl_arg(a, names, "lun");
	json_t *luns = ctl_array(n->tpg, "luns"), *acl;
	char plugin[16], name[64];
	bool add_mapped = true;
	long idx;
	size_t i;

	if (ctl_args_check(a, names, "create", err, errlen) < 0)
		return -1;
	if (sop == NULL || sscanf(sop, "/backstores/%15[^/]/%63s", plugin, name) != 2 ||
	    ctl_find_so(c->root, plugin, name) == NULL)
		return ctl_err(err, errlen,
			       "create: no storage object \"%s\" (give its path, e.g. "
			       "/backstores/fileio/f0)",
			       sop ? sop : "");
	if (ls && parse_index(ls, MAX_LUN, &idx) < 0)
		return ctl_err(err, errlen, "create: lun must be a number from 0 to %d", MAX_LUN);
	if (ls == NULL)
		idx = ctl_lowest_free_index(luns);
	if (ctl_find_by_index(luns, idx))
		return ctl_err(err, errlen, "create: lun%ld already exists", idx);
	if (ctl_arg(a, names, "add_mapped_luns") &&
	    ctl_parse_bool(ctl_arg(a, names, "add_mapped_luns"), &add_mapped) < 0)
		return ctl_err(err, errlen, "create: add_mapped_luns must be true or false");
	json_array_append_new(
	    luns, json_pack("{s:I,s:s}", "index", (json_int_t)idx, "storage_object", sop));
	snprintf(c->msg, sizeof(c->msg), "Created LUN %ld.", idx);
	json_array_foreach(json_object_get(n->tpg, "node_acls"), i, acl)
	{
		if (add_mapped)
			map_lun(acl, idx, false);
	}
	return 0;
}

static int create_portal(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a,
			 char *err, size_t errlen)
{
	static const char *const names[] = {"ip_address", "ip_port", NULL};
	const char *ip = ctl_arg(a, names, "ip_address"), *ps = ctl_arg(a, names, "ip_port");
	char buf[64], pname[96];
	unsigned char addr[16];
	long port = 3260;
	size_t len;

	if (ctl_args_check(a, names, "create", err, errlen) < 0)
		return -1;
	ip = ip ? ip : "0.0.0.0";
	len = strlen(ip);
	if (len >= 2 && ip[0] == '[' && ip[len - 1] == ']') /* "[::1]" */
		snprintf(buf, sizeof(buf), "%.*s", (int)(len - 2), ip + 1);
	else
		snprintf(buf, sizeof(buf), "%s", ip);
	if (inet_pton(AF_INET, buf, addr) != 1 && inet_pton(AF_INET6, buf, addr) != 1)
		return ctl_err(err, errlen, "create: \"%s\" is not an IPv4 or IPv6 address", ip);
	if (ps && (parse_index(ps, 65535, &port) < 0 || port == 0))
		return ctl_err(err, errlen, "create: ip_port must be a number from 1 to 65535");
	ctl_portal_name(buf, port, pname, sizeof(pname));
	if (ctl_find_portal(n->tpg, buf, port))
		return ctl_err(err, errlen, "create: portal %s already exists", pname);
	json_array_append_new(ctl_array(n->tpg, "portals"),
			      json_pack("{s:s,s:I}", "ip_address", buf, "port", (json_int_t)port));
	snprintf(c->msg, sizeof(c->msg), "Created network portal %s.", pname);
	return 0;
}

static int create_acl(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a,
		      char *err, size_t errlen)
{
	static const char *const names[] = {"wwn", "add_mapped_luns", NULL};
	const char *wwn = ctl_arg(a, names, "wwn");
	bool add_mapped = true;
	char why[128];
	json_t *acl, *lun;
	size_t i;

	if (ctl_args_check(a, names, "create", err, errlen) < 0)
		return -1;
	if (wwn == NULL || !iscsi_name_valid(wwn, why, sizeof(why)))
		return ctl_err(err, errlen, "create: \"%s\" is not a valid iSCSI name: %s",
			       wwn ? wwn : "", wwn ? why : "missing");
	if (ctl_find_acl(n->tpg, wwn))
		return ctl_err(err, errlen, "create: an ACL for %s already exists", wwn);
	if (ctl_arg(a, names, "add_mapped_luns") &&
	    ctl_parse_bool(ctl_arg(a, names, "add_mapped_luns"), &add_mapped) < 0)
		return ctl_err(err, errlen, "create: add_mapped_luns must be true or false");
	acl = json_pack("{s:s,s:[]}", "node_wwn", wwn, "mapped_luns");
	json_array_foreach(json_object_get(n->tpg, "luns"), i, lun)
	{
		if (add_mapped)
			map_lun(acl, (long)json_integer_value(json_object_get(lun, "index")),
				false);
	}
	json_array_append_new(ctl_array(n->tpg, "node_acls"), acl);
	snprintf(c->msg, sizeof(c->msg), "Created Node ACL for %s.", wwn);
	return 0;
}

static int create_mapped(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a,
			 char *err, size_t errlen)
{
	static const char *const names[] = {"mapped_lun", "tpg_lun_or_lun", "write_protect", NULL};
	const char *ms = ctl_arg(a, names, "mapped_lun"), *ts = ctl_arg(a, names, "tpg_lun_or_lun");
	const char *wps = ctl_arg(a, names, "write_protect");
	json_t *ml = ctl_array(n->acl, "mapped_luns");
	bool wp = false;
	long m, t;

	if (ctl_args_check(a, names, "create", err, errlen) < 0)
		return -1;
	if (parse_index(ms, MAX_LUN, &m) < 0)
		return ctl_err(err, errlen, "create: mapped_lun must be a number from 0 to %d",
			       MAX_LUN);
	if (ts && strncmp(ts, "lun", 3) == 0)
		ts += 3;
	if (parse_index(ts, MAX_LUN, &t) < 0 ||
	    !ctl_find_by_index(json_object_get(n->tpg, "luns"), t))
		return ctl_err(err, errlen, "create: the TPG has no LUN \"%s\"", ts ? ts : "");
	if (wps && ctl_parse_bool(wps, &wp) < 0)
		return ctl_err(err, errlen, "create: write_protect must be true or false");
	if (ctl_find_by_index(ml, m))
		return ctl_err(err, errlen, "create: mapped_lun%ld already exists", m);
	json_array_append_new(ml, json_pack("{s:I,s:I,s:b}", "index", (json_int_t)m, "tpg_lun",
					    (json_int_t)t, "write_protect", wp));
	snprintf(c->msg, sizeof(c->msg), "Created Mapped LUN %ld.", m);
	return 0;
}

int ctl_create(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a, char *err,
	       size_t errlen)
{
	int r;

	switch (n->kind) {
	case CTL_BS_TYPE:
		r = create_bs(c, n, a, err, errlen);
		break;
	case CTL_ISCSI:
		r = create_target(c, a, err, errlen);
		break;
	case CTL_TARGET:
		r = create_tpg(c, n, a, err, errlen);
		break;
	case CTL_LUNS:
		r = create_lun(c, n, a, err, errlen);
		break;
	case CTL_PORTALS:
		r = create_portal(c, n, a, err, errlen);
		break;
	case CTL_ACLS:
		r = create_acl(c, n, a, err, errlen);
		break;
	case CTL_ACL:
		r = create_mapped(c, n, a, err, errlen);
		break;
	default:
		return ctl_err(err, errlen,
			       "create: nothing can be created in %s (try /backstores/<type>, "
			       "/iscsi, a target, or a TPG's luns, portals or acls)",
			       n->path);
	}
	if (r == 0)
		c->changed = true;
	return r;
}
