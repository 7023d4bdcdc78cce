/* The targetcli-style tree over the configuration's JSON form:
 *
 *   /backstores/{fileio,block,ramdisk,null}/<name>
 *   /iscsi/<wwn>/tpg<N>/{luns/lun<N>, portals/<ip>:<port>,
 *                        acls/<initiator>/mapped_lun<N>,
 *                        attributes, parameters, auth}
 *
 * Paths resolve to nodes that point into a json_t tree shaped like
 * saveconfig.json (as config_to_json writes it).  Pure functions: no
 * sockets, no daemon state. */
#ifndef LUNA_CONTROL_TREE_H
#define LUNA_CONTROL_TREE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_PATH_MAX 512

enum ctl_kind {
	CTL_ROOT,
	CTL_BACKSTORES,
	CTL_BS_TYPE, /* /backstores/fileio */
	CTL_BS_OBJ,  /* /backstores/fileio/f0 */
	CTL_ISCSI,
	CTL_TARGET,
	CTL_TPG,
	CTL_LUNS,
	CTL_LUN,
	CTL_PORTALS,
	CTL_PORTAL,
	CTL_ACLS,
	CTL_ACL,
	CTL_MAPPED_LUN,
	CTL_ATTRIBUTES,
	CTL_PARAMETERS,
	CTL_AUTH,
};

struct ctl_node {
	enum ctl_kind kind;
	char plugin[16]; /* CTL_BS_TYPE, CTL_BS_OBJ */
	json_t *so, *target, *tpg, *lun, *portal, *acl, *mlun;
	char path[CTL_PATH_MAX]; /* canonical */
};

/* Join cwd and path (relative or absolute) into a canonical absolute path
 * without ".", ".." or repeated or trailing slashes.  Returns -1 when the
 * result does not fit. */
int ctl_path_normalize(const char *cwd, const char *path, char *out, size_t outlen);

/* Resolve an absolute path.  Returns 0, or -1 with "no such path ..." in
 * err. */
int ctl_resolve(json_t *root, const char *path, struct ctl_node *out, char *err, size_t errlen);

/* The names of a node's children (a new JSON array of strings), including
 * the attributes/parameters/auth groups of a TPG. */
json_t *ctl_children(json_t *root, const struct ctl_node *n);

/* Lookups in the JSON form. */
json_t *ctl_find_so(json_t *root, const char *plugin, const char *name);
json_t *ctl_find_target(json_t *root, const char *wwn);
json_t *ctl_find_tpg(json_t *target, long tag);
json_t *ctl_find_by_index(json_t *arr, long index);
json_t *ctl_find_acl(json_t *tpg, const char *wwn);
json_t *ctl_find_portal(json_t *tpg, const char *ip, long port);
/* An array member of obj, created empty if missing. */
json_t *ctl_array(json_t *obj, const char *key);
json_t *ctl_object(json_t *obj, const char *key);

/* "127.0.0.1:3260" or "[::1]:3260" as a portal's child name, and back. */
void ctl_portal_name(const char *ip, long port, char *out, size_t outlen);
int ctl_portal_parse(const char *name, char *ip, size_t iplen, long *port);

bool ctl_is_plugin(const char *s);

#endif
