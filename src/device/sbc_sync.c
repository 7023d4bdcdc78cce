/* SYNCHRONIZE CACHE (10) and (16).  Backstores flush the whole store; the
 * range only has to be valid. */
#include "device/cdb.h"
#include "device/dev.h"
#include "device/sbc.h"
#include "device/sbc_io.h"
#include "device/spc.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

void sbc_sync_cache(struct scsi_cmd *cmd)
{
	struct cdb_sync s;
	struct cdb_err err;

	if (cdb_parse_sync_cache(cmd->cdb, cmd->cdb_len, &s, &err) < 0) {
		dev_cdb_error(cmd, &err);
		sbc_finish(cmd);
		return;
	}
	if (!spc_check_ready(cmd)) {
		sbc_finish(cmd);
		return;
	}
	if (!cdb_range_ok(s.lba, s.nblocks, atomic_load(&cmd->lu->nblocks))) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		sbc_finish(cmd);
		return;
	}
	/* IMMED is honoured by waiting anyway: the answer is then also a
	 * promise that the data is stable. */
	sbc_io_submit(cmd, BS_FLUSH, 0, NULL, 0, 0);
}
