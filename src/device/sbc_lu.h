/* The disk's per-LU state that SAM does not give every LU: LBA range
 * locks, who prevents medium removal, sanitize progress. */
#ifndef LUNA_DEVICE_SBC_LU_H
#define LUNA_DEVICE_SBC_LU_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "scsi/lu.h"
#include "scsi/range_lock.h"
#include "scsi/scsi_cmd.h"

struct scsi_cmd;
struct scsi_lu;
struct scsi_nexus;

#define SBC_PREVENT_MAX 64

enum sanitize_state {
	SANITIZE_IDLE,
	SANITIZE_RUNNING,
	SANITIZE_FAILED, /* until EXIT FAILURE MODE or a successful sanitize */
};

struct sbc_lu {
	struct range_lock ranges;
	/* Guarded by lu->lock: the nexuses (by id) that hold a PREVENT. */
	uint64_t prevent[SBC_PREVENT_MAX];
	unsigned nprevent;
	/* enum sanitize_state; atomic, as every command looks at it. */
	atomic_int sanitize;
	atomic_uint sanitize_progress; /* 0 .. 65535 while RUNNING */
};

int sbc_lu_init(struct scsi_lu *lu);
/* A logical unit reset or target reset (warm or cold) reached lu: drop
 * the state SAM-5 clears, PREVENT among it.  The core calls it from its
 * task management. */
void sbc_lu_reset(struct scsi_lu *lu);
/* Does any live I_T nexus prevent medium removal? */
bool sbc_removal_prevented(struct scsi_lu *lu);
void sbc_lu_fini(struct scsi_lu *lu);

/* A command's hold on an LBA range. */
struct sbc_range {
	struct range_req req;
	struct scsi_cmd *cmd;
	void (*run)(struct scsi_cmd *cmd);
	bool locked; /* count 0 holds nothing */
	/* The command's data-in points into the store (a zero-copy READ): the
	 * range is held until the transport has sent it (sbc_cmd_release), so
	 * that no atomic command (nor, when held stable, any write) changes
	 * the blocks under the socket. */
	bool hold_until_release;
	void *ctx; /* the command's own state (freed with the range) */
	void (*ctx_free)(void *ctx); /* how, if not free() */
	void (*next)(struct scsi_cmd *cmd); /* sbc_io_then's next step */
};

/* The range hold of a command (NULL if none). */
static inline struct sbc_range *sbc_range_of(struct scsi_cmd *cmd)
{
	return cmd->dev_priv;
}

/* Run fn(cmd) while cmd holds [lba, lba + count) in the given mode:
 * at once, or when the range is free.  The hold ends in
 * sbc_range_complete(), which completes the command. */
void sbc_range_run(struct scsi_cmd *cmd, uint64_t lba, uint64_t count, enum range_mode mode,
		   void (*fn)(struct scsi_cmd *cmd));
/* The same, with the command's own state (freed by free() with the range:
 * it is owned from here on, also if this fails). */
void sbc_range_run_ctx(struct scsi_cmd *cmd, uint64_t lba, uint64_t count, enum range_mode mode,
		       void (*fn)(struct scsi_cmd *cmd), void *ctx);
/* Complete cmd (scsi_cmd_complete) and give back the range it holds, if
 * any (or keep it until sbc_cmd_release, see hold_until_release). */
void sbc_range_complete(struct scsi_cmd *cmd);
/* The transport is done with cmd: give back a range still held. */
void sbc_cmd_release(struct scsi_cmd *cmd);

static inline struct sbc_lu *sbc_lu(const struct scsi_lu *lu)
{
	return lu->type_priv;
}

#endif
