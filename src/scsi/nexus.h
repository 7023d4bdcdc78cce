/* An I_T nexus: one initiator port talking to one target port.  For iSCSI
 * the initiator port is "<initiator name>,i,0x<ISID>" and the target port
 * "<target name>,t,0x<TPGT>" (RFC 7143 section 4.4.1 / SPC-4 iSCSI
 * TransportIDs).  The transport creates one per session.
 *
 * The nexus also carries the LUN map the initiator sees (its TPG's LUNs,
 * masked by its ACL), and its unit attentions. */
#ifndef LUNA_SCSI_NEXUS_H
#define LUNA_SCSI_NEXUS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/list.h"

struct scsi_lu;

/* One entry of a LUN map. */
struct scsi_lun_entry {
	uint64_t lun;
	struct scsi_lu *lu;
	bool write_protect;
};

/* An immutable, reference-counted set of LUNs, sorted by LUN number.
 * Each entry owns a reference on its LU (fill entries with
 * scsi_lun_map_set(), which takes it); the last scsi_lun_map_put() drops
 * them. */
struct scsi_lun_map {
	atomic_int refcnt;
	unsigned count;
	struct scsi_lun_entry entries[];
};

struct scsi_lun_map *scsi_lun_map_new(unsigned count);
/* Fill entry i, taking a reference on lu. */
void scsi_lun_map_set(struct scsi_lun_map *map, unsigned i, uint64_t lun, struct scsi_lu *lu,
		      bool write_protect);
void scsi_lun_map_sort(struct scsi_lun_map *map);
void scsi_lun_map_get(struct scsi_lun_map *map);
void scsi_lun_map_put(struct scsi_lun_map *map);
const struct scsi_lun_entry *scsi_lun_map_find(const struct scsi_lun_map *map, uint64_t lun);
/* The entry of the LU whose NAA identifier (VPD page 0x83) is naa (len
 * bytes), or NULL: how EXTENDED COPY finds its copy targets among the LUs
 * a nexus sees. */
const struct scsi_lun_entry *scsi_lun_map_find_naa(const struct scsi_lun_map *map,
						   const uint8_t *naa, size_t len);

/* A pending unit attention for one LU on one nexus. */
struct scsi_ua {
	struct list_node node;
	struct scsi_lu *lu; /* not a reference: removed when the LU goes */
	uint16_t asc_ascq;
};

struct scsi_nexus {
	uint64_t id; /* unique for the life of the daemon */
	char initiator_port[300]; /* iqn...,i,0x<isid> */
	char initiator_name[224];
	uint8_t isid[6];
	char target_port[300];
	char target_name[224];
	uint16_t tpgt;
	uint16_t rel_port_id; /* relative target port identifier */

	/* The LUNs this nexus sees.  Replaced (under map_lock) when the
	 * configuration changes; readers on the nexus's own thread take a
	 * reference for the life of a command. */
	pthread_mutex_t map_lock;
	struct scsi_lun_map *map;

	/* Unit attentions, added from any thread. */
	pthread_mutex_t ua_lock;
	atomic_int ua_count;
	struct list_node ua_list;

	struct list_node node; /* in the global nexus list */
	void *transport_priv;

	/* private: one for the creator, one per command in the SCSI core, so
	 * that commands still in a backstore after scsi_nexus_free() find
	 * their nexus. */
	atomic_int refcnt;
	bool gone;
};

/* Create a nexus and add it to the global list.  Takes the caller's
 * reference on map (which may be NULL: no LUNs).  Like LIO, a new nexus
 * starts with no unit attention: initiators (libiscsi's tools, QEMU) send
 * their first commands without expecting one. */
struct scsi_nexus *scsi_nexus_new(const char *initiator_name, const uint8_t isid[6],
				  const char *target_name, uint16_t tpgt,
				  struct scsi_lun_map *map);
/* The nexus ends (session closed): I_T NEXUS LOSS processing (releases
 * RESERVE(6) reservations, aborts its tasks) and removal.  Commands of the
 * nexus still in execution get done() with cmd->aborted set later; the
 * memory goes when the last of them is released. */
void scsi_nexus_free(struct scsi_nexus *nx);

/* Replace the LUN map (takes the caller's reference).  LUNs that appear or
 * disappear raise REPORTED LUNS DATA HAS CHANGED on this nexus. */
void scsi_nexus_set_map(struct scsi_nexus *nx, struct scsi_lun_map *map);

/* Queue a unit attention for one LU on one nexus, or on every nexus that
 * sees the LU (except `except`, which may be NULL). */
void scsi_ua_add(struct scsi_nexus *nx, struct scsi_lu *lu, uint16_t asc_ascq);
void scsi_ua_add_all(struct scsi_lu *lu, struct scsi_nexus *except, uint16_t asc_ascq);
/* Take the oldest unit attention for lu on nx; returns false if none. */
bool scsi_ua_take(struct scsi_nexus *nx, struct scsi_lu *lu, uint16_t *asc_ascq);

/* The current map, with a new reference (NULL if none). */
struct scsi_lun_map *scsi_nexus_map(struct scsi_nexus *nx);
bool scsi_nexus_sees_lu(struct scsi_nexus *nx, const struct scsi_lu *lu);
/* Drop every unit attention with this code on nx, for all LUs. */
void scsi_ua_clear_code(struct scsi_nexus *nx, uint16_t asc_ascq);
/* Drop the unit attentions for lu on nx. */
void scsi_ua_remove_lu(struct scsi_nexus *nx, const struct scsi_lu *lu);

void scsi_nexus_get(struct scsi_nexus *nx);
void scsi_nexus_put(struct scsi_nexus *nx);
/* Drop every unit attention for lu on every nexus (the LU goes away). */
void scsi_ua_purge_lu(struct scsi_lu *lu);
/* Does any unit attention wait for lu on nx? */
bool scsi_ua_pending(struct scsi_nexus *nx, struct scsi_lu *lu);

/* Call fn for every live nexus, with the global nexus lock held. */
void scsi_nexus_foreach(void (*fn)(struct scsi_nexus *nx, void *arg), void *arg);

#endif
