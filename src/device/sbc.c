/* The disk device type: its command dispatch. */
#include "device/sbc.h"
#include "device/dev_reset.h"
#include "device/xcopy.h"

#include "device/opcodes.h"
#include "device/sanitize_job.h"
#include "device/sbc_io.h"
#include "device/sbc_lu.h"
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

/* Commands that complete themselves (they may go to the backstore or wait
 * for an LBA range).  False if cmd is not one of them. */
static bool sbc_dispatch_io(struct scsi_cmd *cmd)
{
	switch (cmd->cdb[0]) {
	case OP_READ_6:
	case OP_READ_10:
	case OP_READ_12:
	case OP_READ_16:
		sbc_read(cmd);
		return true;
	case OP_WRITE_6:
	case OP_WRITE_10:
	case OP_WRITE_12:
	case OP_WRITE_16:
		sbc_write(cmd);
		return true;
	case OP_WRITE_ATOMIC_16:
		sbc_write_atomic(cmd);
		return true;
	case OP_VERIFY_10:
	case OP_VERIFY_12:
	case OP_VERIFY_16:
		sbc_verify(cmd);
		return true;
	case OP_WRITE_VERIFY_10:
	case OP_WRITE_VERIFY_12:
	case OP_WRITE_VERIFY_16:
		sbc_write_verify(cmd);
		return true;
	case OP_COMPARE_AND_WRITE:
		sbc_compare_write(cmd);
		return true;
	case OP_ORWRITE_16:
		sbc_orwrite(cmd);
		return true;
	case OP_WRITE_SAME_10:
	case OP_WRITE_SAME_16:
		sbc_write_same(cmd);
		return true;
	case OP_UNMAP:
		sbc_unmap(cmd);
		return true;
	case OP_EXTENDED_COPY:
		/* Completes the command itself, after its backstore I/O. */
		xcopy_exec(cmd);
		return true;
	case OP_SYNCHRONIZE_CACHE_10:
	case OP_SYNCHRONIZE_CACHE_16:
		sbc_sync_cache(cmd);
		return true;
	case OP_SANITIZE:
		sbc_sanitize(cmd);
		return true;
	case OP_FORMAT_UNIT:
		sbc_format_unit(cmd);
		return true;
	default:
		return false;
	}
}

static void sbc_service_action_in(struct scsi_cmd *cmd)
{
	switch (cmd->cdb[1] & 0x1f) {
	case SAI_READ_CAPACITY_16:
		sbc_read_capacity_16(cmd);
		break;
	case SAI_GET_LBA_STATUS:
		sbc_get_lba_status(cmd);
		break;
	default:
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 4);
		break;
	}
}

/* Commands that have their answer when they return. */
static void sbc_dispatch_inline(struct scsi_cmd *cmd)
{
	switch (cmd->cdb[0]) {
	case OP_READ_CAPACITY_10:
		sbc_read_capacity_10(cmd);
		break;
	case OP_SERVICE_ACTION_IN_16:
		sbc_service_action_in(cmd);
		break;
	case OP_PRE_FETCH_10:
	case OP_PRE_FETCH_16:
		sbc_prefetch(cmd);
		break;
	case OP_READ_DEFECT_DATA_10:
	case OP_READ_DEFECT_DATA_12:
		sbc_read_defect_data(cmd);
		break;
	case OP_START_STOP_UNIT:
		sbc_start_stop_unit(cmd);
		break;
	case OP_PREVENT_ALLOW:
		sbc_prevent_allow(cmd);
		break;
	default:
		if (!spc_exec(cmd, &sbc_spc_type))
			scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
		break;
	}
}

/* SBC-4 4.11.3: while a sanitize runs, the LU answers only the commands
 * that report on it; REQUEST SENSE and TEST UNIT READY tell how far it
 * has come.  After a failed one, the medium stays unusable until a
 * sanitize succeeds or EXIT FAILURE MODE (4.11.4). */
static bool sanitize_blocks(struct scsi_cmd *cmd)
{
	uint8_t op = cmd->cdb[0];
	int state = atomic_load_explicit(&sbc_lu(cmd->lu)->sanitize, memory_order_acquire);

	if (state == SANITIZE_IDLE || op == OP_INQUIRY || op == OP_REPORT_LUNS)
		return false;
	if (state == SANITIZE_RUNNING) {
		if (op == OP_REQUEST_SENSE)
			spc_request_sense_progress(cmd, ASC_LUN_NOT_READY_SANITIZE,
						   sanitize_progress(cmd->lu));
		else
			scsi_sense_set_progress(cmd, SK_NOT_READY, ASC_LUN_NOT_READY_SANITIZE,
						sanitize_progress(cmd->lu));
		return true;
	}
	if (op == OP_REQUEST_SENSE || op == OP_SANITIZE)
		return false;
	scsi_sense_set(cmd, SK_MEDIUM_ERROR, ASC_SANITIZE_FAILED);
	return true;
}

static void sbc_exec(struct scsi_cmd *cmd)
{
	cmd->dev_priv = NULL;
	if (sanitize_blocks(cmd)) {
		sbc_finish(cmd);
		return;
	}
	if (sbc_dispatch_io(cmd))
		return;
	sbc_dispatch_inline(cmd);
	sbc_finish(cmd);
}

const struct scsi_devtype sbc_disk_type = {
	.name = "disk",
	.peripheral_type = 0x00,
	.exec = sbc_exec,
	.init = sbc_lu_init,
	.fini = sbc_lu_fini,
	.reset = dev_lu_reset,
	.release = sbc_cmd_release,
};
