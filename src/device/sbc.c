/* The disk device type: its command dispatch. */
#include "device/sbc.h"

#include "device/opcodes.h"
#include "device/spc.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

bool sbc_write_protected(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;

	if (!lu->readonly && !cmd->write_protect && !lu->mode.swp)
		return false;
	scsi_sense_set(cmd, SK_DATA_PROTECT, ASC_WRITE_PROTECTED);
	return true;
}

static bool sbc_dispatch(struct scsi_cmd *cmd)
{
	switch (cmd->cdb[0]) {
	case OP_READ_6:
	case OP_READ_10:
	case OP_READ_12:
	case OP_READ_16:
		sbc_read(cmd);
		return false;
	case OP_WRITE_6:
	case OP_WRITE_10:
	case OP_WRITE_12:
	case OP_WRITE_16:
		sbc_write(cmd);
		return false;
	case OP_READ_CAPACITY_10:
		sbc_read_capacity_10(cmd);
		return true;
	case OP_SERVICE_ACTION_IN_16:
		if ((cmd->cdb[1] & 0x1f) == SAI_READ_CAPACITY_16) {
			sbc_read_capacity_16(cmd);
			return true;
		}
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 4);
		return true;
	case OP_SYNCHRONIZE_CACHE_10:
	case OP_SYNCHRONIZE_CACHE_16:
		sbc_sync_cache(cmd);
		return false;
	default:
		if (!spc_exec(cmd, &sbc_spc_type))
			scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
		return true;
	}
}

/* Handlers that may go to the backstore complete the command themselves;
 * the others have their answer when they return. */
static void sbc_exec(struct scsi_cmd *cmd)
{
	if (sbc_dispatch(cmd))
		scsi_cmd_complete(cmd);
}

const struct scsi_devtype sbc_disk_type = {
	.name = "disk",
	.peripheral_type = 0x00,
	.exec = sbc_exec,
};
