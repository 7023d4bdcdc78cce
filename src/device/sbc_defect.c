/* READ DEFECT DATA (10) and (12) (SBC-4 5.16, 5.17): a RAM or file store
 * has no defects, so both lists are valid and empty. */
#include <string.h>

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

size_t read_defect_build(bool twelve, uint8_t req, uint8_t *buf)
{
	size_t n = twelve ? 8 : 4;

	memset(buf, 0, n);
	/* PLISTV and GLISTV as asked, in the format asked: empty lists. */
	buf[1] = req & 0x1f;
	return n;
}

void sbc_read_defect_data(struct scsi_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	bool twelve = c[0] == OP_READ_DEFECT_DATA_12;
	uint8_t req = twelve ? c[1] : c[2];
	uint32_t alloc = twelve ? get_be32(c + 6) : get_be16(c + 7);
	uint8_t buf[8];

	if ((twelve && (c[2] || c[3] || c[4] || c[5] || c[10])) ||
	    (!twelve && (c[1] || (c[2] & 0xe0) || c[3] || c[4] || c[5] || c[6]))) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, twelve ? 2 : 1, -1);
		return;
	}
	if (!spc_check_ready(cmd))
		return;
	dev_reply(cmd, buf, read_defect_build(twelve, req, buf), alloc);
}
