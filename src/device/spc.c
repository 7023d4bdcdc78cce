/* The SPC-4 commands shared by every device type. */
#include "device/spc.h"

#include "common/util.h"
#include "device/cdb.h"
#include "device/dev.h"
#include "device/mode.h"
#include "device/opcodes.h"
#include "device/xcopy.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

bool spc_check_ready(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;
	bool present, started;

	pthread_mutex_lock(&lu->lock);
	present = lu->medium_present;
	started = lu->started;
	pthread_mutex_unlock(&lu->lock);
	if (!present) {
		scsi_sense_set(cmd, SK_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
		return false;
	}
	if (!started) {
		/* LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED */
		scsi_sense_set(cmd, SK_NOT_READY, 0x0402);
		return false;
	}
	return true;
}

void spc_test_unit_ready(struct scsi_cmd *cmd)
{
	struct cdb_err err;

	if (cdb_parse_tur(cmd->cdb, cmd->cdb_len, &err) < 0) {
		dev_cdb_error(cmd, &err);
		return;
	}
	if (spc_check_ready(cmd))
		scsi_cmd_good(cmd);
}

/* iSCSI always returns sense with the status (autosense), so there is no
 * deferred sense to report; what REQUEST SENSE can still tell is a
 * pending unit attention, which it reports and clears (SPC-4 6.39), or,
 * without one, the given sense (the LU's own condition). */
static void request_sense(struct scsi_cmd *cmd, enum sense_key key, uint16_t asc,
			  const uint8_t *sks)
{
	struct cdb_request_sense r;
	struct cdb_err err;
	uint8_t sense[SCSI_SENSE_MAX];
	int n;

	if (cdb_parse_request_sense(cmd->cdb, cmd->cdb_len, &r, &err) < 0) {
		dev_cdb_error(cmd, &err);
		return;
	}
	if (scsi_ua_take(cmd->nexus, cmd->lu, &asc)) {
		key = SK_UNIT_ATTENTION;
		sks = NULL;
	}
	n = scsi_sense_build(sense, sizeof(sense), r.desc, key, asc, false, 0, sks);
	dev_reply(cmd, sense, (size_t)n, r.alloc);
}

void spc_request_sense(struct scsi_cmd *cmd)
{
	request_sense(cmd, SK_NO_SENSE, ASC_NO_ADDITIONAL, NULL);
}

void spc_request_sense_progress(struct scsi_cmd *cmd, uint16_t asc, uint16_t progress)
{
	uint8_t sks[3];

	scsi_sense_progress_sks(sks, progress);
	request_sense(cmd, SK_NOT_READY, asc, sks);
}

void spc_mode_sense(struct scsi_cmd *cmd, const struct spc_type *t)
{
	struct cdb_mode_sense ms;
	struct cdb_err err;
	struct mode_hdr_info h = {0};
	struct scsi_mode_params m;
	struct scsi_lu *lu = cmd->lu;
	uint8_t buf[512];
	long n;

	if (cdb_parse_mode_sense(cmd->cdb, cmd->cdb_len, &ms, &err) < 0) {
		dev_cdb_error(cmd, &err);
		return;
	}
	if (ms.pc == MODE_PC_SAVED) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_SAVING_PARAMS_UNSUP);
		return;
	}
	pthread_mutex_lock(&lu->lock);
	m = lu->mode;
	pthread_mutex_unlock(&lu->lock);
	h.dev_specific = t->mode_dev_specific;
	if (lu->readonly || cmd->write_protect || m.swp)
		h.dev_specific |= 0x80; /* WP */
	h.block_descriptor = t->block_descriptor && !ms.dbd;
	h.llbaa = ms.llbaa;
	h.nblocks = atomic_load(&lu->nblocks);
	h.block_size = lu->block_size;
	n = mode_sense_build(&m, &h, cmd->cdb[0] == OP_MODE_SENSE_10, ms.page, ms.subpage,
			     (enum mode_pc)ms.pc, buf, sizeof(buf));
	if (n < 0) {
		if (ms.subpage == 0)
			scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 2, 5);
		else
			scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 3, -1);
		return;
	}
	dev_reply(cmd, buf, (size_t)n, ms.alloc);
}

static bool spc_maintenance_in(struct scsi_cmd *cmd, const struct spc_type *t)
{
	if (cmd->cdb_len < 12) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
		return true;
	}
	if (cmd->cdb[11] & 0x04) { /* NACA */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 11, 2);
		return true;
	}
	switch (cmd->cdb[1] & 0x1f) {
	case MI_REPORT_SUPPORTED_OPCODES:
		spc_report_opcodes(cmd, t);
		return true;
	case MI_REPORT_SUPPORTED_TMFS:
		spc_report_tmfs(cmd);
		return true;
	case MI_REPORT_TARGET_PORT_GROUPS:
		spc_report_tpgs(cmd);
		return true;
	default:
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 4);
		return true;
	}
}

bool spc_exec(struct scsi_cmd *cmd, const struct spc_type *t)
{
	switch (cmd->cdb[0]) {
	case OP_TEST_UNIT_READY:
		spc_test_unit_ready(cmd);
		return true;
	case OP_REQUEST_SENSE:
		spc_request_sense(cmd);
		return true;
	case OP_INQUIRY:
		spc_inquiry(cmd, t);
		return true;
	case OP_MODE_SENSE_6:
	case OP_MODE_SENSE_10:
		spc_mode_sense(cmd, t);
		return true;
	case OP_MODE_SELECT_6:
	case OP_MODE_SELECT_10:
		spc_mode_select(cmd, t);
		return true;
	case OP_MAINTENANCE_IN:
		return spc_maintenance_in(cmd, t);
	case OP_RECEIVE_COPY_RESULTS:
		xcopy_receive_copy_results(cmd);
		return true;
	default:
		return false;
	}
}
