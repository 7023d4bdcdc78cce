/* The life of a SCSI command in the core: LUN lookup, unit attentions, the
 * task set, the device type, completion. */
#include "scsi/scsi_cmd.h"

#include <string.h>

#include "scsi/lu.h"
#include "scsi/nexus.h"
#include "scsi/nolun.h"
#include "scsi/pr.h"
#include "scsi/report_luns.h"
#include "scsi/sense.h"
#include "scsi/task_set.h"

#define OP_REQUEST_SENSE 0x03
#define OP_INQUIRY 0x12
#define OP_REPORT_LUNS 0xa0

static void cmd_init_private(struct scsi_cmd *cmd)
{
	memset(&cmd->in, 0, sizeof(cmd->in));
	cmd->status = SAM_STAT_GOOD;
	cmd->sense_len = 0;
	cmd->lu = NULL;
	cmd->write_protect = false;
	cmd->aborted = false;
	cmd->in_task_set = false;
	list_init(&cmd->task_node);
	list_init(&cmd->abort_waits);
	cmd->lba = 0;
	cmd->nblocks = 0;
	cmd->pending = 0;
	cmd->io_error = 0;
	cmd->dev_priv = NULL;
	cmd->out_needed = 0;
	cmd->map = NULL;
}

/* SAM-5 5.14: these report or clear conditions, so a pending unit
 * attention does not stop them. */
static bool ua_exempt(uint8_t opcode)
{
	return opcode == OP_INQUIRY || opcode == OP_REPORT_LUNS || opcode == OP_REQUEST_SENSE;
}

static bool check_ua(struct scsi_cmd *cmd)
{
	uint16_t asc;

	if (ua_exempt(cmd->cdb[0]) || !scsi_ua_take(cmd->nexus, cmd->lu, &asc))
		return false;
	scsi_sense_set(cmd, SK_UNIT_ATTENTION, asc);
	return true;
}

void scsi_cmd_submit(struct scsi_cmd *cmd)
{
	const struct scsi_lun_entry *e;

	cmd_init_private(cmd);
	scsi_nexus_get(cmd->nexus);
	cmd->holds_nexus = true;
	cmd->map = scsi_nexus_map(cmd->nexus);
	e = scsi_lun_map_find(cmd->map, cmd->lun);
	if (e) {
		cmd->lu = e->lu;
		scsi_lu_get(cmd->lu);
		cmd->write_protect = e->write_protect;
	}
	if (cmd->cdb_len == 0) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
	} else if (cmd->cdb[0] == OP_REPORT_LUNS) {
		scsi_report_luns(cmd);
	} else if (cmd->lu == NULL) {
		scsi_nolun_exec(cmd);
	} else if (check_ua(cmd)) {
		/* answered with the unit attention */
	} else if (scsi_resv_check(cmd) || scsi_resv_exec(cmd)) {
		/* a reservation conflict, or a reservation command the core ran */
	} else {
		scsi_task_set_add(cmd);
		cmd->lu->type->exec(cmd);
		return;
	}
	scsi_cmd_complete(cmd);
}

void scsi_cmd_complete(struct scsi_cmd *cmd)
{
	if (cmd->in_task_set)
		scsi_task_set_remove(cmd);
	if (cmd->aborted)
		cmd->status = SAM_STAT_TASK_ABORTED;
	cmd->done(cmd);
}

bool scsi_cmd_is_aborted(struct scsi_cmd *cmd)
{
	bool r;

	if (cmd->lu == NULL)
		return false;
	pthread_mutex_lock(&cmd->lu->lock);
	r = cmd->aborted;
	pthread_mutex_unlock(&cmd->lu->lock);
	return r;
}

void scsi_cmd_release(struct scsi_cmd *cmd)
{
	/* Before the buffers go: data-in may point into the store under an
	 * LBA range the device type still holds. */
	if (cmd->lu && cmd->lu->type->release)
		cmd->lu->type->release(cmd);
	scsi_buf_free(&cmd->in);
	scsi_buf_free(&cmd->out);
	if (cmd->lu)
		scsi_lu_put(cmd->lu);
	cmd->lu = NULL;
	scsi_lun_map_put(cmd->map);
	cmd->map = NULL;
	/* Only a submitted command holds a reference on its nexus. */
	if (cmd->holds_nexus)
		scsi_nexus_put(cmd->nexus);
	cmd->holds_nexus = false;
}
