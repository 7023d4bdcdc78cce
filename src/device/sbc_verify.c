/* VERIFY (10, 12, 16) and WRITE AND VERIFY (10, 12, 16). */
#include <stdlib.h>
#include <string.h>

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

/* BYTCHK (SBC-4 5.29): 00b verify the medium only, 01b compare with
 * data-out of every block, 11b compare every block with one block of
 * data-out; 10b is reserved. */
enum bytchk {
	BYTCHK_NONE = 0,
	BYTCHK_ALL = 1,
	BYTCHK_RESERVED = 2,
	BYTCHK_ONE = 3,
};

/* Where the first byte of medium and data-out differ, or -1.  With one
 * block of data-out (BYTCHK 11b) it is compared with every block. */
long verify_compare(const uint8_t *medium, const uint8_t *data, uint32_t nblocks,
		    uint32_t block_size, bool one_block)
{
	for (uint32_t b = 0; b < nblocks; b++) {
		const uint8_t *m = medium + (size_t)b * block_size;
		const uint8_t *d = one_block ? data : data + (size_t)b * block_size;

		if (memcmp(m, d, block_size) == 0)
			continue;
		for (uint32_t i = 0; i < block_size; i++)
			if (m[i] != d[i])
				return (long)((size_t)b * block_size + i);
	}
	return -1;
}

static void verify_compare_step(struct scsi_cmd *cmd)
{
	struct sbc_range *r = sbc_range_of(cmd);
	bool one = (cmd->cdb[1] >> 1 & 3) == BYTCHK_ONE;
	long at = verify_compare(r->ctx, cmd->out.data, cmd->nblocks, cmd->lu->block_size, one);

	if (at < 0)
		scsi_cmd_good(cmd);
	else
		scsi_sense_set_info(cmd, SK_MISCOMPARE, ASC_MISCOMPARE_DURING_VERIFY, (uint64_t)at);
	sbc_finish(cmd);
}

static void verify_read_step(struct scsi_cmd *cmd)
{
	sbc_read_range_then(cmd, verify_compare_step);
}

void sbc_verify(struct scsi_cmd *cmd)
{
	struct cdb_rw rw;
	enum bytchk bytchk = cmd->cdb[1] >> 1 & 3;
	uint32_t bs;

	if (!sbc_rw_check(cmd, &rw, false)) {
		sbc_finish(cmd);
		return;
	}
	bs = cmd->lu->block_size;
	if (bytchk == BYTCHK_RESERVED) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 2);
		sbc_finish(cmd);
		return;
	}
	if (bytchk == BYTCHK_NONE || rw.nblocks == 0) {
		/* A RAM or file store has no media errors to look for. */
		scsi_cmd_good(cmd);
		sbc_finish(cmd);
		return;
	}
	cmd->out_needed = bytchk == BYTCHK_ONE ? bs : rw.nblocks * bs;
	if (cmd->out.len < cmd->out_needed) {
		/* The initiator did not send what it asked us to compare. */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 2);
		sbc_finish(cmd);
		return;
	}
	sbc_range_run(cmd, rw.lba, rw.nblocks, RANGE_READ, verify_read_step);
}

static void write_verify_step(struct scsi_cmd *cmd)
{
	uint32_t bs = cmd->lu->block_size;
	uint32_t have = sbc_blocks_arrived(cmd, cmd->nblocks);

	/* The data reaches the medium (FUA) before GOOD: that is the
	 * verification a RAM or file store can give. */
	sbc_io_submit(cmd, BS_WRITE, cmd->lba * bs, cmd->out.data, (uint64_t)have * bs, BS_IO_FUA);
}

void sbc_write_verify(struct scsi_cmd *cmd)
{
	struct cdb_rw rw;
	uint8_t bytchk = cmd->cdb[1] >> 1 & 3;

	if (!sbc_rw_check(cmd, &rw, true)) {
		sbc_finish(cmd);
		return;
	}
	/* WRITE AND VERIFY: BYTCHK 1xb is reserved (SBC-4 5.41). */
	if (bytchk > 1) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 2);
		sbc_finish(cmd);
		return;
	}
	cmd->out_needed = rw.nblocks * cmd->lu->block_size;
	if (rw.nblocks == 0 || sbc_blocks_arrived(cmd, rw.nblocks) == 0) {
		scsi_cmd_good(cmd);
		sbc_finish(cmd);
		return;
	}
	sbc_range_run(cmd, rw.lba, rw.nblocks, RANGE_SHARED, write_verify_step);
}
