/* Backstore I/O on behalf of a disk command. */
#include "device/sbc_io.h"

#include <errno.h>
#include <stdlib.h>

#include "device/dev.h"
#include "device/sbc_lu.h"
#include "scsi/lu.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define ASC_SPACE_ALLOC_FAILED 0x2707 /* thin store out of space */

static void io_failed(struct scsi_cmd *cmd, enum bs_op op, int err)
{
	if (err == -ENOSPC && op != BS_READ)
		scsi_sense_set(cmd, SK_DATA_PROTECT, ASC_SPACE_ALLOC_FAILED);
	else if (err == -ENOMEM || err == -EAGAIN)
		cmd->status = SAM_STAT_BUSY;
	else if (op == BS_READ)
		scsi_sense_set(cmd, SK_MEDIUM_ERROR, ASC_READ_ERROR);
	else
		scsi_sense_set(cmd, SK_MEDIUM_ERROR, ASC_WRITE_ERROR);
}

void sbc_finish(struct scsi_cmd *cmd)
{
	sbc_range_complete(cmd);
}

static void io_done(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	struct sbc_range *r = sbc_range_of(cmd);
	void (*next)(struct scsi_cmd * cmd) = r ? r->next : NULL;

	cmd->pending--;
	if (r)
		r->next = NULL;
	if (io->result < 0) {
		cmd->io_error = io->result;
		io_failed(cmd, io->op, io->result);
	} else if (next) {
		next(cmd);
		return;
	} else {
		scsi_cmd_good(cmd);
	}
	sbc_finish(cmd);
}

void sbc_io_then(struct scsi_cmd *cmd, enum bs_op op, uint64_t offset, void *buf, uint64_t len,
		 unsigned flags, void (*next)(struct scsi_cmd *cmd))
{
	struct sbc_range *r = sbc_range_of(cmd);

	/* Aborted while waiting: spare the store the work. */
	if (scsi_cmd_is_aborted(cmd)) {
		sbc_finish(cmd);
		return;
	}
	if (r)
		r->next = next;
	bs_io_prep(&cmd->bio, op, offset, buf, len, io_done, cmd);
	cmd->bio.flags = flags;
	cmd->pending++;
	backstore_submit(cmd->lu->bs, &cmd->bio);
}

void sbc_read_range_then(struct scsi_cmd *cmd, void (*next)(struct scsi_cmd *cmd))
{
	struct sbc_range *r = sbc_range_of(cmd);
	uint64_t len = (uint64_t)cmd->nblocks * cmd->lu->block_size;

	r->ctx = malloc(len);
	if (r->ctx == NULL) {
		dev_no_memory(cmd);
		sbc_finish(cmd);
		return;
	}
	sbc_io_then(cmd, BS_READ, cmd->lba * cmd->lu->block_size, r->ctx, len, 0, next);
}

void sbc_io_submit(struct scsi_cmd *cmd, enum bs_op op, uint64_t offset, void *buf, uint64_t len,
		   unsigned flags)
{
	sbc_io_then(cmd, op, offset, buf, len, flags, NULL);
}
