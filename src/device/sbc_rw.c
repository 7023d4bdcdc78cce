/* READ and WRITE (6, 10, 12, 16). */
#include <string.h>

#include "common/util.h"
#include "device/cdb.h"
#include "device/dev.h"
#include "device/sbc.h"
#include "device/sbc_io.h"
#include "device/spc.h"
#include "scsi/lu.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

/* The checks READ and WRITE share; false (with sense set) to refuse. */
static bool rw_check(struct scsi_cmd *cmd, struct cdb_rw *rw, bool is_write)
{
	struct cdb_err err;
	struct scsi_lu *lu = cmd->lu;

	if (cdb_parse_rw(cmd->cdb, cmd->cdb_len, rw, &err) < 0) {
		dev_cdb_error(cmd, &err);
		return false;
	}
	/* No protection information: RDPROTECT/WRPROTECT must be 0. */
	if (rw->protect) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 7);
		return false;
	}
	if (!spc_check_ready(cmd))
		return false;
	if (is_write && sbc_write_protected(cmd))
		return false;
	if (!cdb_range_ok(rw->lba, rw->nblocks, atomic_load(&lu->nblocks))) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	if ((uint64_t)rw->nblocks * lu->block_size > DEV_MAX_XFER_BYTES) {
		/* SBC-4: more than the Block Limits page's maximum. */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true,
				     cmd->cdb_len >= 16 ? 10 : 7, -1);
		return false;
	}
	cmd->lba = rw->lba;
	cmd->nblocks = rw->nblocks;
	return true;
}

void sbc_read(struct scsi_cmd *cmd)
{
	struct cdb_rw rw;
	struct scsi_lu *lu = cmd->lu;
	uint64_t off, len;

	if (!rw_check(cmd, &rw, false) || rw.nblocks == 0) {
		scsi_cmd_complete(cmd);
		return;
	}
	off = rw.lba * lu->block_size;
	len = (uint64_t)rw.nblocks * lu->block_size;
	if (lu->bs->ops->map) {
		/* Memory store: send straight from it, no copy. */
		cmd->in.data = lu->bs->ops->map(lu->bs, off, len);
		if (cmd->in.data) {
			cmd->in.len = cmd->in.cap = (uint32_t)len;
			cmd->in.owned = false;
			scsi_cmd_good(cmd);
			scsi_cmd_complete(cmd);
			return;
		}
	}
	if (scsi_buf_alloc(&cmd->in, (uint32_t)len) < 0) {
		dev_no_memory(cmd);
		scsi_cmd_complete(cmd);
		return;
	}
	sbc_io_submit(cmd, BS_READ, off, cmd->in.data, len, 0);
}

void sbc_write(struct scsi_cmd *cmd)
{
	struct cdb_rw rw;
	struct scsi_lu *lu = cmd->lu;
	uint32_t have;
	unsigned flags = 0;

	if (!rw_check(cmd, &rw, true)) {
		scsi_cmd_complete(cmd);
		return;
	}
	cmd->out_needed = rw.nblocks * lu->block_size;
	/* Fewer bytes than the CDB names arrived (expected length too small):
	 * write the whole blocks that did; the transport reports the
	 * overflow.  Bytes beyond the CDB's length are never written. */
	have = MIN(rw.nblocks, cmd->out.len / lu->block_size);
	if (have == 0) {
		scsi_cmd_good(cmd);
		scsi_cmd_complete(cmd);
		return;
	}
	if (rw.fua || !lu->mode.wce)
		flags |= BS_IO_FUA;
	sbc_io_submit(cmd, BS_WRITE, rw.lba * lu->block_size, cmd->out.data,
		      (uint64_t)have * lu->block_size, flags);
}
