/* The JSON configuration, shaped like LIO's saveconfig.json, into the
 * object model.  Everything is validated before anything is opened; the
 * first error found refuses the whole file, naming the field by its JSON
 * path ("targets[0].tpgs[0].luns[1].storage_object") and the reason. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backstore/backstore.h"
#include "common/util.h"
#include "config/config.h"
#include "config/model.h"
#include "config/names.h"

#define PATH_LEN 256
#define MAX_LUN 16383

struct pctx {
	struct luna_config *cfg;
	char *err;
	size_t errlen;
	/* Storage objects by plugin and name (open addressing, index + 1,
	 * 0 = empty): LUNs find their object, and duplicates are caught, in
	 * constant time; scans made a 10,000-LUN file take seconds. */
	unsigned *so_slots;
	unsigned so_mask;
	/* The LUN indexes of the TPG being parsed, a bit each. */
	uint8_t lun_seen[(MAX_LUN + 8) / 8];
};

__attribute__((format(printf, 3, 4))) static int fail(struct pctx *c, const char *path,
						      const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "%s: ", path);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 2, 3))) static void note(struct pctx *c, const char *fmt, ...)
{
	struct luna_config *cfg = c->cfg;
	char buf[PATH_LEN + 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cfg->notes = realloc(cfg->notes, (cfg->n_notes + 1) * sizeof(char *));
	if (cfg->notes == NULL)
		abort();
	cfg->notes[cfg->n_notes++] = xstrdup(buf);
}

static bool in_list(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(key, *list) == 0)
			return true;
	return false;
}

/* Keys of obj in neither `known` nor `quiet` get a note; quiet ones are
 * LIO keys that carry nothing for Luna. */
static void note_unknown(struct pctx *c, json_t *obj, const char *path, const char *const *known,
			 const char *const *quiet)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		if (!in_list(key, known) && !(quiet && in_list(key, quiet)))
			note(c, "%s.%s: unknown key, ignored", path, key);
	}
}

static int need_type(struct pctx *c, json_t *v, json_type t, const char *path, const char *what)
{
	if (v == NULL || json_typeof(v) != t)
		return fail(c, path, "must be %s", what);
	return 0;
}

/* JSON paths are built from short keys and indexes; one that would not fit
 * PATH_LEN is cut, which only shortens a message. */
__attribute__((format(printf, 2, 3))) static void mkpath(char *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, PATH_LEN, fmt, ap);
	va_end(ap);
}

static void field(char *out, const char *path, const char *key)
{
	mkpath(out, "%s.%s", path, key);
}

/* A string member; required ones must be present and non-empty. */
static int get_str(struct pctx *c, json_t *obj, const char *path, const char *key, bool required,
		   char *out, size_t outlen)
{
	json_t *v = json_object_get(obj, key);
	char p[PATH_LEN];

	field(p, path, key);
	if (v == NULL || json_is_null(v)) {
		if (required)
			return fail(c, p, "missing (a string is required)");
		out[0] = '\0';
		return 0;
	}
	if (!json_is_string(v))
		return fail(c, p, "must be a string");
	if (json_string_length(v) >= outlen)
		return fail(c, p, "longer than %zu characters", outlen - 1);
	if (required && json_string_length(v) == 0)
		return fail(c, p, "must not be empty");
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* Booleans: LIO writes both true/false and 1/0. */
static int get_bool(struct pctx *c, json_t *obj, const char *path, const char *key, bool dflt,
		    bool *out)
{
	json_t *v = json_object_get(obj, key);
	char p[PATH_LEN];

	*out = dflt;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
		*out = json_integer_value(v) == 1;
		return 0;
	}
	field(p, path, key);
	return fail(c, p, "must be true or false (or 1 or 0)");
}

static int get_uint(struct pctx *c, json_t *obj, const char *path, const char *key, bool required,
		    uint64_t min, uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	char p[PATH_LEN];

	field(p, path, key);
	if (v == NULL || json_is_null(v)) {
		if (required)
			return fail(c, p, "missing (a number from %llu to %llu is required)",
				    (unsigned long long)min, (unsigned long long)max);
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) < min || (uint64_t)json_integer_value(v) > max)
		return fail(c, p, "must be a whole number from %llu to %llu",
			    (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* An optional array member: absent is an empty array. */
static int get_array(struct pctx *c, json_t *obj, const char *path, const char *key, json_t **out)
{
	json_t *v = json_object_get(obj, key);
	char p[PATH_LEN];

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	field(p, path, key);
	if (!json_is_array(v))
		return fail(c, p, "must be an array");
	*out = v;
	return 0;
}

static int get_object(struct pctx *c, json_t *obj, const char *path, const char *key, json_t **out)
{
	json_t *v = json_object_get(obj, key);
	char p[PATH_LEN];

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	field(p, path, key);
	if (!json_is_object(v))
		return fail(c, p, "must be an object");
	*out = v;
	return 0;
}

/* ---- storage objects ------------------------------------------------ */

/* LIO's plugin names, and Luna's. */
static const char *plugin_name(const char *s)
{
	if (strcmp(s, "rd_mcp") == 0)
		return "ramdisk";
	if (strcmp(s, "iblock") == 0)
		return "block";
	return s;
}

static int parse_size_field(struct pctx *c, json_t *o, const char *path, struct cfg_storage *so)
{
	json_t *v = json_object_get(o, "size");
	char p[PATH_LEN];
	bool file = strcmp(so->plugin, "fileio") == 0 || strcmp(so->plugin, "block") == 0;

	field(p, path, "size");
	so->size = 0;
	if (v == NULL || json_is_null(v)) {
		if (!file)
			return fail(c, p, "missing (a %s needs a size in bytes)", so->plugin);
		return 0;
	}
	if (json_is_integer(v) && json_integer_value(v) > 0)
		so->size = (uint64_t)json_integer_value(v);
	else if (json_is_string(v) && parse_size(json_string_value(v), &so->size) < 0)
		so->size = 0;
	else if (json_is_integer(v) && json_integer_value(v) == 0 && file)
		return 0; /* take the file's or device's size */
	if (so->size == 0)
		return fail(c, p, "must be a positive number of bytes");
	if (so->size < (so->block_size ? so->block_size : 512))
		return fail(c, p, "smaller than one block");
	return 0;
}

/* attributes.physical_block_size: a 512e disk reports 4096-byte physical
 * blocks of 512-byte logical ones; initiators align I/O and UNMAP to it. */
static int parse_physical_block(struct pctx *c, json_t *attrs, const char *p,
				struct cfg_storage *so)
{
	uint32_t lbs = so->block_size ? so->block_size : 512;
	uint64_t pbs = 0;
	char q[PATH_LEN];

	if (get_uint(c, attrs, p, "physical_block_size", false, 0, UINT32_MAX, &pbs) < 0)
		return -1;
	if (pbs == 0)
		return 0;
	field(q, p, "physical_block_size");
	if (pbs < lbs || pbs % lbs || (pbs / lbs & (pbs / lbs - 1)) || pbs / lbs > 32768)
		return fail(c, q, "must be the logical block size times a power of two");
	so->physical_block_size = (uint32_t)pbs;
	return 0;
}

static int parse_so_attributes(struct pctx *c, json_t *o, const char *path, struct cfg_storage *so)
{
	static const char *const known[] = {"block_size", "physical_block_size", NULL};
	char p[PATH_LEN];
	uint64_t bsz = 0;
	json_t *attrs;

	if (get_object(c, o, path, "attributes", &attrs) < 0)
		return -1;
	so->block_size = strcmp(so->plugin, "block") == 0 ? 0 : 512;
	if (attrs == NULL)
		return 0;
	field(p, path, "attributes");
	if (get_uint(c, attrs, p, "block_size", false, 0, UINT32_MAX, &bsz) < 0)
		return -1;
	if (json_object_get(attrs, "block_size") && bsz != 512 && bsz != 4096) {
		char q[PATH_LEN];
		field(q, p, "block_size");
		return fail(c, q, "must be 512 or 4096");
	}
	if (bsz)
		so->block_size = (uint32_t)bsz;
	if (parse_physical_block(c, attrs, p, so) < 0)
		return -1;
	const char *key;
	json_t *v;
	json_object_foreach(attrs, key, v)
	{
		if (!in_list(key, known))
			note(c, "%s.%s: LIO attribute not used by Luna, ignored", p, key);
	}
	return 0;
}

static int parse_so_flags(struct pctx *c, json_t *o, const char *path, struct cfg_storage *so)
{
	if (get_bool(c, o, path, "thin", false, &so->thin) < 0 ||
	    get_bool(c, o, path, "readonly", false, &so->readonly) < 0 ||
	    get_bool(c, o, path, "removable", false, &so->removable) < 0 ||
	    get_bool(c, o, path, "write_back", true, &so->write_back) < 0 ||
	    get_bool(c, o, path, "direct", false, &so->direct) < 0)
		return -1;
	if (get_str(c, o, path, "wwn", false, so->wwn, sizeof(so->wwn)) < 0)
		return -1;
	if (so->wwn[0] == '\0' &&
	    get_str(c, o, path, "unit_serial", false, so->wwn, sizeof(so->wwn)) < 0)
		return -1;
	return 0;
}

static int parse_so_plugin(struct pctx *c, json_t *o, const char *path, struct cfg_storage *so)
{
	char plugin[32], p[PATH_LEN];
	bool nullio = false;

	if (get_str(c, o, path, "plugin", true, plugin, sizeof(plugin)) < 0)
		return -1;
	field(p, path, "plugin");
	if (!backstore_plugin_known(plugin_name(plugin)))
		return fail(c, p, "unknown plugin \"%s\" (use ramdisk, fileio, block or null)",
			    plugin);
	strlcpy_luna(so->plugin, plugin_name(plugin), sizeof(so->plugin));
	/* LIO's rd_mcp with nullio=true keeps no data: that is our null. */
	if (get_bool(c, o, path, "nullio", false, &nullio) < 0)
		return -1;
	if (nullio && strcmp(so->plugin, "ramdisk") == 0)
		strlcpy_luna(so->plugin, "null", sizeof(so->plugin));
	return 0;
}

static int parse_so_dev(struct pctx *c, json_t *o, const char *path, struct cfg_storage *so)
{
	char dev[4096], p[PATH_LEN];
	bool needs = strcmp(so->plugin, "fileio") == 0 || strcmp(so->plugin, "block") == 0;

	if (get_str(c, o, path, "dev", needs, dev, sizeof(dev)) < 0)
		return -1;
	field(p, path, "dev");
	if (needs && dev[0] != '/')
		return fail(c, p, "must be an absolute path");
	so->dev = needs ? xstrdup(dev) : NULL;
	return 0;
}

static uint32_t so_hash(const char *plugin, const char *name)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const char *q = plugin; *q; q++)
		h = (h ^ (uint8_t)*q) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (const char *q = name; *q; q++)
		h = (h ^ (uint8_t)*q) * 16777619u;
	return h;
}

/* The slot of plugin/name: where it is, or the empty slot it would take. */
static unsigned *so_slot(struct pctx *c, const char *plugin, const char *name)
{
	unsigned i = so_hash(plugin, name) & c->so_mask;

	while (c->so_slots[i]) {
		const struct cfg_storage *o = &c->cfg->storage[c->so_slots[i] - 1];
		if (strcmp(o->plugin, plugin) == 0 && strcmp(o->name, name) == 0)
			break;
		i = (i + 1) & c->so_mask;
	}
	return &c->so_slots[i];
}

/* The index of storage object plugin/name, or -1. */
static int so_lookup(struct pctx *c, const char *plugin, const char *name)
{
	return c->so_slots ? (int)*so_slot(c, plugin, name) - 1 : -1;
}

static int check_unique_so(struct pctx *c, unsigned i, const char *path)
{
	struct cfg_storage *so = &c->cfg->storage[i];
	char p[PATH_LEN];
	unsigned *slot;

	field(p, path, "name");
	if (!storage_name_valid(so->name))
		return fail(c, p, "\"%s\" is not a valid name (1 to 63 of A-Z a-z 0-9 _ . : -)",
			    so->name);
	slot = so_slot(c, so->plugin, so->name);
	if (*slot)
		return fail(c, p,
			    "duplicate storage object \"/backstores/%s/%s\" (also "
			    "storage_objects[%u])",
			    so->plugin, so->name, *slot - 1);
	*slot = i + 1;
	return 0;
}

static int parse_storage_object(struct pctx *c, json_t *o, unsigned i)
{
	static const char *const known[] = {
	    "name",	  "plugin", "dev", "size",	  "thin",	"readonly", "removable",
	    "write_back", "direct", "wwn", "unit_serial", "attributes", "nullio",   NULL};
	static const char *const quiet[] = {"alua_tpgs",      "aio",	 "config",
					    "hw_max_sectors", "control", NULL};
	struct cfg_storage *so = &c->cfg->storage[i];
	char path[PATH_LEN];

	mkpath(path, "storage_objects[%u]", i);
	if (need_type(c, o, JSON_OBJECT, path, "an object") < 0 ||
	    get_str(c, o, path, "name", true, so->name, sizeof(so->name)) < 0 ||
	    parse_so_plugin(c, o, path, so) < 0 || check_unique_so(c, i, path) < 0 ||
	    parse_so_dev(c, o, path, so) < 0 || parse_so_attributes(c, o, path, so) < 0 ||
	    parse_size_field(c, o, path, so) < 0 || parse_so_flags(c, o, path, so) < 0)
		return -1;
	note_unknown(c, o, path, known, quiet);
	return 0;
}

static int parse_storage(struct pctx *c, json_t *root)
{
	json_t *arr;

	if (get_array(c, root, "(top level)", "storage_objects", &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	c->cfg->n_storage = (unsigned)json_array_size(arr);
	c->cfg->storage = xcalloc(c->cfg->n_storage, sizeof(struct cfg_storage));
	/* At most half full, so that probe runs stay short. */
	c->so_mask = 15;
	while (c->so_mask / 2 < c->cfg->n_storage)
		c->so_mask = c->so_mask * 2 + 1;
	c->so_slots = xcalloc((size_t)c->so_mask + 1, sizeof(unsigned));
	for (unsigned i = 0; i < c->cfg->n_storage; i++)
		if (parse_storage_object(c, json_array_get(arr, i), i) < 0)
			return -1;
	return 0;
}

/* ---- targets ---------------------------------------------------------- */

static int parse_chap(struct pctx *c, json_t *o, const char *path, const char *prefix,
		      struct cfg_chap *chap)
{
	char k[4][64];

	snprintf(k[0], sizeof(k[0]), "%suserid", prefix);
	snprintf(k[1], sizeof(k[1]), "%spassword", prefix);
	snprintf(k[2], sizeof(k[2]), "%smutual_userid", prefix);
	snprintf(k[3], sizeof(k[3]), "%smutual_password", prefix);
	if (get_str(c, o, path, k[0], false, chap->userid, sizeof(chap->userid)) < 0 ||
	    get_str(c, o, path, k[1], false, chap->password, sizeof(chap->password)) < 0 ||
	    get_str(c, o, path, k[2], false, chap->mutual_userid, sizeof(chap->mutual_userid)) <
		0 ||
	    get_str(c, o, path, k[3], false, chap->mutual_password, sizeof(chap->mutual_password)) <
		0)
		return -1;
	return 0;
}

/* Literal address into a sockaddr; "[::1]" (as LIO writes it) is "::1". */
static int parse_ip(const char *ip, uint16_t port, struct cfg_portal *pt)
{
	char buf[64];
	size_t n = strlen(ip);
	struct sockaddr_in *s4 = (struct sockaddr_in *)&pt->addr;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&pt->addr;

	if (n >= 2 && ip[0] == '[' && ip[n - 1] == ']') {
		snprintf(buf, sizeof(buf), "%.*s", (int)(n - 2), ip + 1);
		ip = buf;
	}
	memset(&pt->addr, 0, sizeof(pt->addr));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		pt->addrlen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		pt->addrlen = sizeof(*s6);
	} else {
		return -1;
	}
	strlcpy_luna(pt->ip, ip, sizeof(pt->ip));
	pt->port = port;
	return 0;
}

static int parse_portal(struct pctx *c, json_t *o, const char *path, struct cfg_portal *pt)
{
	static const char *const known[] = {"ip_address", "port", NULL};
	static const char *const quiet[] = {"iser", "offload", NULL};
	char ip[64], p[PATH_LEN];
	uint64_t port = 3260;

	if (need_type(c, o, JSON_OBJECT, path, "an object") < 0 ||
	    get_str(c, o, path, "ip_address", true, ip, sizeof(ip)) < 0 ||
	    get_uint(c, o, path, "port", false, 1, 65535, &port) < 0)
		return -1;
	field(p, path, "ip_address");
	if (parse_ip(ip, (uint16_t)port, pt) < 0)
		return fail(c, p,
			    "\"%s\" is not an IPv4 or IPv6 address (use 0.0.0.0 or :: for "
			    "all addresses)",
			    ip);
	note_unknown(c, o, path, known, quiet);
	return 0;
}

static int find_so(struct pctx *c, const char *spath, struct cfg_storage **out)
{
	char plugin[32], name[64];
	const char *rest;
	const char *slash;
	int i;

	if (strncmp(spath, "/backstores/", 12) != 0)
		return -1;
	rest = spath + 12;
	slash = strchr(rest, '/');
	if (slash == NULL || (size_t)(slash - rest) >= sizeof(plugin) || strlen(slash + 1) >= 64)
		return -1;
	snprintf(plugin, sizeof(plugin), "%.*s", (int)(slash - rest), rest);
	snprintf(name, sizeof(name), "%s", slash + 1);
	i = so_lookup(c, plugin_name(plugin), name);
	/* LIO's rd_mcp path may name a nullio RAM disk, which is our null;
	 * with both present, the one listed first wins. */
	if (strcmp(plugin, "rd_mcp") == 0) {
		int j = so_lookup(c, "null", name);
		if (j >= 0 && (i < 0 || j < i))
			i = j;
	}
	if (i < 0)
		return -1;
	*out = &c->cfg->storage[i];
	return 0;
}

static int parse_lun(struct pctx *c, json_t *o, const char *path, struct cfg_tpg *tpg, unsigned i)
{
	static const char *const known[] = {"index", "storage_object", NULL};
	static const char *const quiet[] = {"alias", "alua_tg_pt_gp_name", NULL};
	struct cfg_lun *l = &tpg->luns[i];
	uint64_t idx = 0;
	char p[PATH_LEN];

	if (need_type(c, o, JSON_OBJECT, path, "an object") < 0 ||
	    get_uint(c, o, path, "index", true, 0, MAX_LUN, &idx) < 0 ||
	    get_str(c, o, path, "storage_object", true, l->storage_path, sizeof(l->storage_path)) <
		0)
		return -1;
	l->index = (uint32_t)idx;
	if (i == 0) /* a new TPG's first LUN */
		memset(c->lun_seen, 0, sizeof(c->lun_seen));
	if (c->lun_seen[idx / 8] & (1u << (idx % 8))) {
		field(p, path, "index");
		return fail(c, p, "duplicate LUN %u", l->index);
	}
	c->lun_seen[idx / 8] |= (uint8_t)(1u << (idx % 8));
	field(p, path, "storage_object");
	if (find_so(c, l->storage_path, &l->so) < 0)
		return fail(c, p, "no storage object \"%s\"", l->storage_path);
	note_unknown(c, o, path, known, quiet);
	return 0;
}

static int parse_mapped_lun(struct pctx *c, json_t *o, const char *path, struct cfg_tpg *tpg,
			    struct cfg_acl *acl, unsigned i)
{
	static const char *const known[] = {"index", "tpg_lun", "write_protect", NULL};
	static const char *const quiet[] = {"alias", NULL};
	struct cfg_mapped_lun *m = &acl->mapped[i];
	uint64_t idx = 0, tl = 0;
	char p[PATH_LEN];

	if (need_type(c, o, JSON_OBJECT, path, "an object") < 0 ||
	    get_uint(c, o, path, "index", true, 0, MAX_LUN, &idx) < 0 ||
	    get_uint(c, o, path, "tpg_lun", true, 0, MAX_LUN, &tl) < 0 ||
	    get_bool(c, o, path, "write_protect", false, &m->write_protect) < 0)
		return -1;
	m->index = (uint32_t)idx;
	m->tpg_lun = (uint32_t)tl;
	for (unsigned j = 0; j < i; j++)
		if (acl->mapped[j].index == m->index) {
			field(p, path, "index");
			return fail(c, p, "duplicate mapped LUN %u", m->index);
		}
	if (config_find_tpg_lun(tpg, m->tpg_lun) == NULL) {
		field(p, path, "tpg_lun");
		return fail(c, p, "the TPG has no LUN %u", m->tpg_lun);
	}
	note_unknown(c, o, path, known, quiet);
	return 0;
}

static int parse_acl(struct pctx *c, json_t *o, const char *path, struct cfg_tpg *tpg, unsigned i)
{
	static const char *const known[] = {"node_wwn",
					    "chap_userid",
					    "chap_password",
					    "chap_mutual_userid",
					    "chap_mutual_password",
					    "mapped_luns",
					    NULL};
	static const char *const quiet[] = {"attributes", "auth", "tcq_depth", NULL};
	struct cfg_acl *acl = &tpg->acls[i];
	char p[PATH_LEN], why[128];
	json_t *arr;

	if (need_type(c, o, JSON_OBJECT, path, "an object") < 0 ||
	    get_str(c, o, path, "node_wwn", true, acl->node_wwn, sizeof(acl->node_wwn)) < 0)
		return -1;
	field(p, path, "node_wwn");
	if (!iscsi_name_valid(acl->node_wwn, why, sizeof(why)))
		return fail(c, p, "\"%s\" is not a valid iSCSI name: %s", acl->node_wwn, why);
	for (unsigned j = 0; j < i; j++)
		if (strcmp(tpg->acls[j].node_wwn, acl->node_wwn) == 0)
			return fail(c, p, "duplicate ACL for %s", acl->node_wwn);
	if (parse_chap(c, o, path, "chap_", &acl->chap) < 0 ||
	    get_array(c, o, path, "mapped_luns", &arr) < 0)
		return -1;
	acl->n_mapped = arr ? (unsigned)json_array_size(arr) : 0;
	acl->mapped = xcalloc(acl->n_mapped, sizeof(*acl->mapped));
	for (unsigned j = 0; j < acl->n_mapped; j++) {
		mkpath(p, "%s.mapped_luns[%u]", path, j);
		if (parse_mapped_lun(c, json_array_get(arr, j), p, tpg, acl, j) < 0)
			return -1;
	}
	note_unknown(c, o, path, known, quiet);
	return 0;
}

static int parse_tpg_attributes(struct pctx *c, json_t *o, const char *path, struct cfg_tpg *tpg)
{
	static const char *const used[] = {"authentication", "generate_node_acls",
					   "demo_mode_write_protect", NULL};
	char p[PATH_LEN];
	const char *key;
	json_t *attrs, *v;

	if (get_object(c, o, path, "attributes", &attrs) < 0)
		return -1;
	if (attrs == NULL)
		return 0;
	field(p, path, "attributes");
	if (get_bool(c, attrs, p, "authentication", false, &tpg->authentication) < 0 ||
	    get_bool(c, attrs, p, "generate_node_acls", false, &tpg->generate_node_acls) < 0 ||
	    get_bool(c, attrs, p, "demo_mode_write_protect", false, &tpg->demo_mode_write_protect) <
		0)
		return -1;
	json_object_foreach(attrs, key, v)
	{
		if (!in_list(key, used))
			note(c, "%s.%s: LIO attribute not used by Luna, ignored", p, key);
	}
	return 0;
}

static int parse_params(struct pctx *c, json_t *o, const char *path, struct cfg_tpg *tpg)
{
	char p[PATH_LEN];
	const char *key;
	json_t *params, *v;

	if (get_object(c, o, path, "parameters", &params) < 0)
		return -1;
	if (params == NULL)
		return 0;
	tpg->params = xcalloc(json_object_size(params), sizeof(struct cfg_param));
	json_object_foreach(params, key, v)
	{
		struct cfg_param *pm = &tpg->params[tpg->n_params];
		mkpath(p, "%s.parameters.%s", path, key);
		if (strlen(key) >= sizeof(pm->key))
			return fail(c, p, "name too long");
		if (json_is_string(v) && json_string_length(v) >= sizeof(pm->value))
			return fail(c, p, "longer than %zu characters", sizeof(pm->value) - 1);
		if (json_is_string(v))
			snprintf(pm->value, sizeof(pm->value), "%s", json_string_value(v));
		else if (json_is_integer(v))
			snprintf(pm->value, sizeof(pm->value), "%lld",
				 (long long)json_integer_value(v));
		else
			return fail(c, p, "must be a string");
		strlcpy_luna(pm->key, key, sizeof(pm->key));
		tpg->n_params++;
	}
	return 0;
}

typedef int (*item_fn)(struct pctx *c, json_t *o, const char *path, struct cfg_tpg *tpg,
		       unsigned i);

/* Parse tpg.<key>[] with fn into a freshly allocated array of `size`. */
static int parse_list(struct pctx *c, json_t *o, const char *path, const char *key,
		      struct cfg_tpg *tpg, size_t size, void **arr, unsigned *n, item_fn fn)
{
	char p[PATH_LEN];
	json_t *a;

	if (get_array(c, o, path, key, &a) < 0)
		return -1;
	*n = a ? (unsigned)json_array_size(a) : 0;
	*arr = xcalloc(*n, size);
	for (unsigned i = 0; i < *n; i++) {
		mkpath(p, "%s.%s[%u]", path, key, i);
		if (fn(c, json_array_get(a, i), p, tpg, i) < 0)
			return -1;
	}
	return 0;
}

static int portal_item(struct pctx *c, json_t *o, const char *path, struct cfg_tpg *tpg, unsigned i)
{
	if (parse_portal(c, o, path, &tpg->portals[i]) < 0)
		return -1;
	for (unsigned j = 0; j < i; j++)
		if (tpg->portals[j].port == tpg->portals[i].port &&
		    strcmp(tpg->portals[j].ip, tpg->portals[i].ip) == 0)
			return fail(c, path, "duplicate portal %s:%u", tpg->portals[i].ip,
				    tpg->portals[i].port);
	return 0;
}

static int parse_tpg(struct pctx *c, json_t *o, const char *path, struct cfg_target *t, unsigned i)
{
	static const char *const known[] = {"tag",
					    "enable",
					    "portals",
					    "luns",
					    "node_acls",
					    "attributes",
					    "parameters",
					    "chap_userid",
					    "chap_password",
					    "chap_mutual_userid",
					    "chap_mutual_password",
					    NULL};
	static const char *const quiet[] = {"auth", NULL};
	struct cfg_tpg *tpg = &t->tpgs[i];
	uint64_t tag = 0;
	char p[PATH_LEN];

	tpg->target = t;
	if (need_type(c, o, JSON_OBJECT, path, "an object") < 0 ||
	    get_uint(c, o, path, "tag", true, 1, 65535, &tag) < 0)
		return -1;
	tpg->tag = (uint16_t)tag;
	for (unsigned j = 0; j < i; j++)
		if (t->tpgs[j].tag == tpg->tag) {
			field(p, path, "tag");
			return fail(c, p, "duplicate TPG tag %u", tpg->tag);
		}
	if (get_bool(c, o, path, "enable", true, &tpg->enable) < 0 ||
	    parse_tpg_attributes(c, o, path, tpg) < 0 || parse_params(c, o, path, tpg) < 0 ||
	    parse_chap(c, o, path, "chap_", &tpg->chap) < 0 ||
	    parse_list(c, o, path, "portals", tpg, sizeof(struct cfg_portal),
		       (void **)&tpg->portals, &tpg->n_portals, portal_item) < 0 ||
	    parse_list(c, o, path, "luns", tpg, sizeof(struct cfg_lun), (void **)&tpg->luns,
		       &tpg->n_luns, parse_lun) < 0 ||
	    parse_list(c, o, path, "node_acls", tpg, sizeof(struct cfg_acl), (void **)&tpg->acls,
		       &tpg->n_acls, parse_acl) < 0)
		return -1;
	note_unknown(c, o, path, known, quiet);
	return 0;
}

static int parse_target(struct pctx *c, json_t *o, unsigned i)
{
	static const char *const known[] = {"wwn", "fabric", "tpgs", NULL};
	struct cfg_target *t = &c->cfg->targets[i];
	char path[PATH_LEN], p[PATH_LEN], why[128], fabric[32];
	json_t *arr;

	mkpath(path, "targets[%u]", i);
	if (need_type(c, o, JSON_OBJECT, path, "an object") < 0 ||
	    get_str(c, o, path, "wwn", true, t->wwn, sizeof(t->wwn)) < 0 ||
	    get_str(c, o, path, "fabric", false, fabric, sizeof(fabric)) < 0)
		return -1;
	field(p, path, "fabric");
	if (fabric[0] && strcmp(fabric, "iscsi") != 0)
		return fail(c, p, "\"%s\" is not served by Luna (only iscsi)", fabric);
	field(p, path, "wwn");
	if (!iscsi_name_valid(t->wwn, why, sizeof(why)))
		return fail(c, p, "\"%s\" is not a valid iSCSI name: %s", t->wwn, why);
	for (unsigned j = 0; j < i; j++)
		if (strcmp(c->cfg->targets[j].wwn, t->wwn) == 0)
			return fail(c, p, "duplicate target %s", t->wwn);
	if (get_array(c, o, path, "tpgs", &arr) < 0)
		return -1;
	t->n_tpgs = arr ? (unsigned)json_array_size(arr) : 0;
	t->tpgs = xcalloc(t->n_tpgs, sizeof(*t->tpgs));
	for (unsigned j = 0; j < t->n_tpgs; j++) {
		mkpath(p, "%s.tpgs[%u]", path, j);
		if (parse_tpg(c, json_array_get(arr, j), p, t, j) < 0)
			return -1;
	}
	note_unknown(c, o, path, known, NULL);
	return 0;
}

static int parse_targets(struct pctx *c, json_t *root)
{
	json_t *arr;

	if (get_array(c, root, "(top level)", "targets", &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	c->cfg->n_targets = (unsigned)json_array_size(arr);
	c->cfg->targets = xcalloc(c->cfg->n_targets, sizeof(struct cfg_target));
	for (unsigned i = 0; i < c->cfg->n_targets; i++)
		if (parse_target(c, json_array_get(arr, i), i) < 0)
			return -1;
	return 0;
}

static int parse_fabric(struct pctx *c, json_t *o, unsigned i)
{
	struct cfg_discovery *d = &c->cfg->discovery;
	char path[PATH_LEN], name[32];

	mkpath(path, "fabric_modules[%u]", i);
	if (need_type(c, o, JSON_OBJECT, path, "an object") < 0 ||
	    get_str(c, o, path, "name", true, name, sizeof(name)) < 0)
		return -1;
	if (strcmp(name, "iscsi") != 0) {
		note(c, "%s: fabric module \"%s\" is not served by Luna, ignored", path, name);
		return 0;
	}
	return get_bool(c, o, path, "discovery_enable_auth", false, &d->enable_auth) < 0 ||
		       parse_chap(c, o, path, "discovery_", &d->chap) < 0
		   ? -1
		   : 0;
}

static int parse_fabrics(struct pctx *c, json_t *root)
{
	json_t *arr;

	if (get_array(c, root, "(top level)", "fabric_modules", &arr) < 0)
		return -1;
	for (unsigned i = 0; arr && i < json_array_size(arr); i++)
		if (parse_fabric(c, json_array_get(arr, i), i) < 0)
			return -1;
	return 0;
}

static struct luna_config *parse_root(json_t *root, const struct luna_config *reuse, char *err,
				      size_t errlen)
{
	static const char *const known[] = {"storage_objects", "targets", "fabric_modules", NULL};
	struct pctx c = {
	    .cfg = xcalloc(1, sizeof(struct luna_config)), .err = err, .errlen = errlen};

	atomic_init(&c.cfg->refcnt, 1);
	if (!json_is_object(root)) {
		fail(&c, "(top level)", "must be a JSON object with storage_objects and targets");
		goto fail;
	}
	if (parse_storage(&c, root) < 0 || parse_targets(&c, root) < 0 ||
	    parse_fabrics(&c, root) < 0)
		goto fail;
	note_unknown(&c, root, "(top level)", known, NULL);
	free(c.so_slots);
	c.so_slots = NULL;
	if (config_open_storage(c.cfg, reuse, err, errlen) < 0)
		goto fail;
	return c.cfg;
fail:
	free(c.so_slots);
	config_free(c.cfg);
	return NULL;
}

static void syntax_error(const json_error_t *je, const char *what, char *err, size_t errlen)
{
	if (je->line < 0)
		snprintf(err, errlen, "%s: %s", what, je->text);
	else
		snprintf(err, errlen, "%s: JSON syntax error at line %d, column %d: %s", what,
			 je->line, je->column, je->text);
}

struct luna_config *config_parse(const char *json_text, const struct luna_config *reuse, char *err,
				 size_t errlen)
{
	json_error_t je;
	json_t *root = json_loads(json_text ? json_text : "", JSON_REJECT_DUPLICATES, &je);
	struct luna_config *cfg;

	if (root == NULL) {
		syntax_error(&je, "configuration", err, errlen);
		return NULL;
	}
	cfg = parse_root(root, reuse, err, errlen);
	json_decref(root);
	return cfg;
}

struct luna_config *config_load_file(const char *path, const struct luna_config *reuse, char *err,
				     size_t errlen)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	struct luna_config *cfg;
	char *msg;

	if (root == NULL) {
		syntax_error(&je, path, err, errlen);
		return NULL;
	}
	msg = xcalloc(1, errlen + 1);
	cfg = parse_root(root, reuse, msg, errlen);
	json_decref(root);
	if (cfg == NULL)
		snprintf(err, errlen, "%s: %s", path, msg); /* name the file too */
	free(msg);
	return cfg;
}
