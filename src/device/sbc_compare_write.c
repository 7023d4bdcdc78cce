/* COMPARE AND WRITE (SBC-4 5.3) and ORWRITE (16) (SBC-4 5.8): read,
 * combine with data-out, write, with the range held exclusively so that
 * no other command sees or changes the blocks in between. */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "device/cdb.h"
#include "device/dev.h"
#include "device/opcodes.h"
#include "device/sbc.h"
#include "device/sbc_io.h"
#include "device/sbc_lu.h"
#include "device/spc.h"
#include "scsi/lu.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

int cdb_parse_compare_write(const uint8_t *cdb, unsigned len, struct cdb_rw *rw,
			    struct cdb_err *err)
{
	if (cdb_check_common(cdb, len, err) < 0)
		return -1;
	if (cdb[0] != OP_COMPARE_AND_WRITE) {
		err->asc_ascq = ASC_INVALID_OPCODE;
		return -1;
	}
	return cdb_parse_rw(cdb, len, rw, err);
}

/* The step after the read: the medium is in r->ctx. */
static void caw_compare(struct scsi_cmd *cmd)
{
	struct sbc_range *r = sbc_range_of(cmd);
	uint32_t bs = cmd->lu->block_size;
	size_t len = (size_t)cmd->nblocks * bs;
	const uint8_t *medium = r->ctx;

	if (memcmp(medium, cmd->out.data, len) != 0) {
		size_t i = 0;

		while (medium[i] == cmd->out.data[i])
			i++;
		/* INFORMATION: offset of the first byte that differs. */
		scsi_sense_set_info(cmd, SK_MISCOMPARE, ASC_MISCOMPARE_DURING_VERIFY, i);
		sbc_finish(cmd);
		return;
	}
	sbc_io_submit(cmd, BS_WRITE, cmd->lba * bs, cmd->out.data + len, len,
		      sbc_fua(cmd, cmd->cdb[1] & 0x08) ? BS_IO_FUA : 0);
}

static void caw_start(struct scsi_cmd *cmd)
{
	sbc_read_range_then(cmd, caw_compare);
}

void sbc_compare_write(struct scsi_cmd *cmd)
{
	struct cdb_rw rw;
	struct cdb_err err;
	uint32_t bs = cmd->lu->block_size;

	if (cdb_parse_compare_write(cmd->cdb, cmd->cdb_len, &rw, &err) < 0) {
		dev_cdb_error(cmd, &err);
	} else if (rw.protect) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 7);
	} else if (rw.nblocks > SBC_MAX_COMPARE_WRITE_BLOCKS) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 13, -1);
	} else if (spc_check_ready(cmd) && !sbc_write_protected(cmd) &&
		   sbc_range_check(cmd, rw.lba, rw.nblocks, 13)) {
		cmd->out_needed = 2 * rw.nblocks * bs;
		if (rw.nblocks == 0 && cmd->xfer_len == 0) {
			scsi_cmd_good(cmd);
		} else if (cmd->xfer_len != cmd->out_needed || cmd->out.len < cmd->out_needed) {
			/* Verify and write data must be exactly 2 x NUMBER OF
			 * LOGICAL BLOCKS: anything else is not what was meant. */
			scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 13, -1);
		} else {
			sbc_range_run(cmd, rw.lba, rw.nblocks, RANGE_EXCLUSIVE, caw_start);
			return;
		}
	}
	sbc_finish(cmd);
}

static void orwrite_or(struct scsi_cmd *cmd)
{
	struct sbc_range *r = sbc_range_of(cmd);
	uint32_t bs = cmd->lu->block_size;
	size_t len = (size_t)cmd->nblocks * bs;
	uint8_t *medium = r->ctx;

	for (size_t i = 0; i < len; i++)
		medium[i] |= cmd->out.data[i];
	sbc_io_submit(cmd, BS_WRITE, cmd->lba * bs, medium, len,
		      sbc_fua(cmd, cmd->cdb[1] & 0x08) ? BS_IO_FUA : 0);
}

static void orwrite_start(struct scsi_cmd *cmd)
{
	sbc_read_range_then(cmd, orwrite_or);
}

void sbc_orwrite(struct scsi_cmd *cmd)
{
	struct cdb_rw rw;

	if (!sbc_rw_check(cmd, &rw, true)) {
		sbc_finish(cmd);
		return;
	}
	cmd->out_needed = rw.nblocks * cmd->lu->block_size;
	/* Only whole blocks that arrived are combined. */
	cmd->nblocks = sbc_blocks_arrived(cmd, rw.nblocks);
	if (cmd->nblocks == 0) {
		scsi_cmd_good(cmd);
		sbc_finish(cmd);
		return;
	}
	sbc_range_run(cmd, rw.lba, cmd->nblocks, RANGE_EXCLUSIVE, orwrite_start);
}
