/* PRE-FETCH (10) and (16). */
#include "common/bytes.h"
#include "device/dev.h"
#include "device/opcodes.h"
#include "device/sbc.h"
#include "device/sbc_io.h"
#include "device/sbc_lu.h"
#include "device/spc.h"
#include "scsi/lu.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

/* SBC-4 5.9, 5.10: the blocks of a RAM store
 * are always "in cache", and so are those of a file store as far as the
 * answer goes: CONDITION MET, the status that says they fit. */
void sbc_prefetch(struct scsi_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	bool sixteen = c[0] == OP_PRE_FETCH_16;
	uint64_t lba = sixteen ? get_be64(c + 2) : get_be32(c + 2);
	uint32_t n = sixteen ? get_be32(c + 10) : get_be16(c + 7);
	uint8_t ctl = sixteen ? c[15] : c[9];

	if (c[1] & 0xfd) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, -1);
		return;
	}
	if (ctl & 0x04) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, sixteen ? 15 : 9, 2);
		return;
	}
	if (!spc_check_ready(cmd))
		return;
	if (!cdb_range_ok(lba, n, atomic_load(&cmd->lu->nblocks))) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return;
	}
	cmd->status = SAM_STAT_CONDITION_MET;
	cmd->sense_len = 0;
}
