/* The configuration object model, shaped like LIO's saveconfig.json:
 * storage objects (backstores) and targets -> TPGs -> portals, LUNs, node
 * ACLs, attributes and iSCSI parameters.
 *
 * A `struct luna_config` is immutable once built and reference counted.
 * Loading a file builds a complete new config (refusing it whole if any
 * field is wrong) and config_activate() swaps it in: storage objects with
 * the same name and backing keep their LU (and so its reservations and
 * sessions), new LUN maps are pushed to every live nexus. */
#ifndef LUNA_CONFIG_CONFIG_H
#define LUNA_CONFIG_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct scsi_lu;
struct scsi_lun_map;

#define CFG_NAME_MAX 224 /* iSCSI names are at most 223 bytes */

struct cfg_chap {
	char userid[256];
	char password[256];
	char mutual_userid[256];
	char mutual_password[256];
};

struct cfg_storage {
	char name[64];
	char plugin[16]; /* ramdisk, fileio, block, null */
	char *dev;	 /* fileio / block path */
	uint64_t size;
	uint32_t block_size;
	uint32_t physical_block_size; /* 0: the same as block_size */
	bool thin, readonly, removable, write_back, direct;
	char wwn[64]; /* optional unit serial */
	struct scsi_lu *lu;
	bool reused; /* lu was taken over from the running config */
	bool grew;   /* ... and its store grew: activation announces it */
};

struct cfg_portal {
	char ip[64]; /* literal address; "0.0.0.0" or "::" = any */
	uint16_t port;
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

struct cfg_lun {
	uint32_t index;
	struct cfg_storage *so;
	char storage_path[128]; /* "/backstores/<plugin>/<name>" as written */
};

struct cfg_mapped_lun {
	uint32_t index;	  /* the LUN number the initiator sees */
	uint32_t tpg_lun; /* the TPG LUN it maps */
	bool write_protect;
};

struct cfg_acl {
	char node_wwn[CFG_NAME_MAX];
	struct cfg_chap chap;
	unsigned n_mapped;
	struct cfg_mapped_lun *mapped;
};

/* One negotiation parameter set for a TPG ("parameters" in saveconfig). */
struct cfg_param {
	char key[64];
	char value[256];
};

struct cfg_tpg {
	uint16_t tag;
	bool enable;
	bool authentication;	 /* attribute "authentication" */
	bool generate_node_acls; /* demo mode: any initiator, all LUNs */
	bool demo_mode_write_protect;
	struct cfg_chap chap; /* demo-mode CHAP */
	unsigned n_portals, n_luns, n_acls, n_params;
	struct cfg_portal *portals;
	struct cfg_lun *luns;
	struct cfg_acl *acls;
	struct cfg_param *params;
	struct cfg_target *target;
};

struct cfg_target {
	char wwn[CFG_NAME_MAX];
	unsigned n_tpgs;
	struct cfg_tpg *tpgs;
};

struct cfg_discovery {
	bool enable_auth;
	struct cfg_chap chap;
};

struct luna_config {
	atomic_int refcnt;
	uint64_t generation;
	unsigned n_storage, n_targets;
	struct cfg_storage *storage;
	struct cfg_target *targets;
	struct cfg_discovery discovery;
	/* Keys that were accepted but ignored (LIO attributes Luna has no use
	 * for, unknown keys), as "path: what"; for the caller to log. */
	unsigned n_notes;
	char **notes;
};

/* Parse and validate a JSON configuration and open its storage objects.
 * On error returns NULL and writes a message naming the field and the
 * reason (e.g. "targets[0].tpgs[0].luns[1].storage_object: no storage
 * object /backstores/fileio/f9") into err.  `reuse` (may be NULL) is the
 * running config, whose LUs are kept for storage objects that did not
 * change. */
struct luna_config *config_parse(const char *json_text, const struct luna_config *reuse, char *err,
				 size_t errlen);
struct luna_config *config_load_file(const char *path, const struct luna_config *reuse, char *err,
				     size_t errlen);

/* The embedded default of `lunad --demo`: a 1 GiB RAM disk as LUN 0 of
 * iqn.2025-01.io.luna:demo on 127.0.0.1:3260. */
const char *config_demo_json(void);

/* The configuration as saveconfig.json-shaped JSON text (malloc'd; the
 * caller frees it), or NULL if out of memory. */
char *config_to_json(const struct luna_config *cfg);

/* Write the configuration (or JSON text) to path atomically: temporary
 * file, fsync, rename, fsync of the directory; mode 0600 (it holds CHAP
 * secrets).  Returns 0, or -1 with a message in err. */
int config_save_file(const struct luna_config *cfg, const char *path, char *err, size_t errlen);
int config_save_text(const char *text, const char *path, char *err, size_t errlen);

void config_get(struct luna_config *cfg);
void config_put(struct luna_config *cfg);

/* The running configuration: a new reference (release with config_put). */
struct luna_config *config_current(void);
/* Make cfg the running configuration (takes the caller's reference; NULL
 * at shutdown releases the running one): push
 * new LUN maps to every live nexus, and raise CAPACITY DATA HAS CHANGED for
 * storage objects that grew. */
void config_activate(struct luna_config *cfg);

/* Lookups for the transport. */
const struct cfg_target *config_find_target(const struct luna_config *cfg, const char *wwn);
/* The enabled TPG of target that serves the local address the connection
 * came in on; NULL if none. */
const struct cfg_tpg *config_tpg_for_addr(const struct cfg_target *t, const struct sockaddr *local,
					  socklen_t len);
const struct cfg_acl *config_find_acl(const struct cfg_tpg *tpg, const char *initiator);
/* May this initiator use this TPG at all (ACL, or demo mode)? */
bool config_initiator_allowed(const struct cfg_tpg *tpg, const char *initiator);
/* The LUNs this initiator sees through this TPG (a new reference); NULL if
 * it may not log in. */
struct scsi_lun_map *config_lun_map(const struct cfg_tpg *tpg, const char *initiator);
/* A negotiation parameter configured on the TPG, or NULL. */
const char *config_tpg_param(const struct cfg_tpg *tpg, const char *key);

#endif
