/* FORMAT UNIT (SBC-4 5.4): Luna formats by deallocating (thin) or
 * zeroing (thick) the whole medium, held exclusively. */
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

static void format_start(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;

	sbc_io_submit(cmd, lu->lbpme ? BS_DISCARD : BS_WRITE_ZEROES, 0, NULL,
		      atomic_load(&lu->nblocks) * lu->block_size, 0);
}

/* The parameter list header (short, 4 bytes, or long, 8): Luna takes no
 * defect list and no initialization pattern. */
static bool format_params_ok(struct scsi_cmd *cmd, bool longlist)
{
	unsigned hdr = longlist ? 8 : 4;
	const uint8_t *p = cmd->out.data;

	cmd->out_needed = hdr;
	if (cmd->out.len < hdr) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
		return false;
	}
	if ((p[1] & 0x08) || (longlist ? get_be32(p + 4) : get_be16(p + 2)) != 0 ||
	    (p[0] & 0x07)) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_PARAM_LIST, false, 1, -1);
		return false;
	}
	return true;
}

void sbc_format_unit(struct scsi_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;

	if ((c[1] & 0xc0) || c[2] || c[3] || c[4]) { /* FMTPINFO: no protection */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, (c[1] & 0xc0) ? 1 : 2,
				     -1);
	} else if (c[5] & 0x04) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 5, 2);
	} else if (spc_check_ready(cmd) && !sbc_write_protected(cmd) &&
		   (!(c[1] & 0x10) || format_params_ok(cmd, c[1] & 0x20))) {
		sbc_range_run(cmd, 0, UINT64_MAX, RANGE_EXCLUSIVE, format_start);
		return;
	}
	sbc_finish(cmd);
}
