/* A logical unit: a device type (the command set, src/device) over a
 * backstore, with the state SAM gives an LU: its task set, reservations,
 * mode parameters and identity.  One LU per storage object; several LUN
 * mappings (in several TPGs) may point to the same LU. */
#ifndef LUNA_SCSI_LU_H
#define LUNA_SCSI_LU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "backstore/backstore.h"
#include "common/list.h"

struct scsi_cmd;
struct scsi_lu;

/* A device type driver: SBC disk, later MMC, SSC. */
struct scsi_devtype {
	const char *name;
	uint8_t peripheral_type; /* INQUIRY byte 0 */
	/* Execute a command whose LU, UA and reservation checks have passed.
	 * Completes through scsi_cmd_complete(). */
	void (*exec)(struct scsi_cmd *cmd);
	/* Set up per-LU state of the type (mode pages ...).  Optional. */
	int (*init)(struct scsi_lu *lu);
	void (*fini)(struct scsi_lu *lu);
	/* The type's part of a LOGICAL UNIT RESET or target reset (PREVENT
	 * state, SAM-5 6.3).  Optional. */
	void (*reset)(struct scsi_lu *lu);
	/* The transport is done with a command of the type (it has sent its
	 * data and status, or dropped it): free what the type kept past
	 * completion, such as the LBA range of a READ whose data-in points
	 * into the store.  Optional. */
	void (*release)(struct scsi_cmd *cmd);
};

/* Settable mode parameters (MODE SELECT). */
struct scsi_mode_params {
	bool d_sense; /* control page: descriptor-format sense */
	bool swp;     /* control page: software write protect */
	bool wce;     /* caching page: write cache enabled */
	bool rcd;     /* caching page: read cache disabled */
	uint8_t tst, qerr, tas, ua_intlck;
	uint8_t mrie; /* informational exceptions page */
	bool dexcpt;
};

struct scsi_lu_params {
	const char *name; /* storage object name */
	const struct scsi_devtype *type;
	struct backstore *bs;
	bool thin;
	bool readonly;
	bool removable;
	uint32_t physical_block_size; /* 0: the logical block size */
	uint64_t sanitize_rate;	      /* bytes per second; 0: the type's default */
	const char *vendor;  /* INQUIRY, <= 8 chars */
	const char *product; /* <= 16 chars */
	const char *revision;
	const char *serial; /* unit serial number; made from the name if NULL */
	const char *wwn;    /* 32 hex digits (NAA 6 registered extended); made from
			       the serial if NULL */
};

struct scsi_lu {
	char name[64];
	const struct scsi_devtype *type;
	struct backstore *bs;
	uint32_t block_size;
	atomic_uint_fast64_t nblocks;
	bool thin, readonly, removable;
	/* Logical block provisioning management (UNMAP, GET LBA STATUS):
	 * every LU whose store can deallocate.  thin says whether unmapped
	 * blocks are deallocated (thin) or anchored (resource provisioned). */
	bool lbpme;
	uint8_t lbppb_exp; /* logical blocks per physical block, log2 */
	uint64_t sanitize_rate; /* bytes per second a sanitize may process; 0: default */
	char vendor[9], product[17], revision[5];
	char serial[64];
	uint8_t naa[16]; /* NAA IEEE Registered Extended identifier */

	atomic_int refcnt;
	uint64_t id; /* unique, for the lifetime of the daemon */

	/* Everything below is shared between workers and guarded by lock. */
	pthread_mutex_t lock;
	struct list_node tasks; /* commands in execution (struct scsi_cmd) */
	struct scsi_mode_params mode;
	bool started;	/* START STOP UNIT */
	bool medium_present;
	unsigned prevent; /* PREVENT ALLOW MEDIUM REMOVAL holders */
	void *reservations; /* reservation and persistent-reservation state */
	void *type_priv;
};

struct scsi_lu *scsi_lu_new(const struct scsi_lu_params *p, char *err, size_t errlen);
void scsi_lu_get(struct scsi_lu *lu);
void scsi_lu_put(struct scsi_lu *lu);

/* The backstore changed size: update nblocks and raise CAPACITY DATA HAS
 * CHANGED on every nexus that sees the LU. */
void scsi_lu_capacity_changed(struct scsi_lu *lu);

#endif
