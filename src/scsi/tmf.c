/* Task management functions (SAM-5 7).  The TMF marks commands aborted
 * and answers only when each of them has left the device type: from then
 * on none of their data can reach the medium. */
#include "scsi/tmf.h"

#include "net/loop.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"
#include "scsi/pr.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"
#include "scsi/task_set.h"

static void tmf_finish(void *arg)
{
	struct scsi_tmf *tmf = arg;

	tmf->done(tmf, tmf->rsp);
}

void scsi_tmf_wait_done(struct scsi_tmf *tmf)
{
	struct loop *loop = tmf->loop;

	if (atomic_fetch_sub(&tmf->pending, 1) != 1)
		return;
	/* The last aborted command may finish on another worker: answer on
	 * the thread that owns the TMF's connection. */
	if (loop && loop != loop_current())
		loop_post(loop, tmf_finish, tmf);
	else
		tmf_finish(tmf);
}

static void reset_lu(struct scsi_tmf *tmf, struct scsi_lu *lu, uint16_t asc)
{
	scsi_task_set_abort(lu, tmf, TASK_SCOPE_ALL, tmf->nexus, 0, NULL);
	scsi_resv_reset(lu);
	if (lu->type->reset)
		lu->type->reset(lu);
	scsi_ua_add_all(lu, NULL, asc);
}

static void target_reset(struct scsi_tmf *tmf, uint16_t asc)
{
	struct scsi_lun_map *map = scsi_nexus_map(tmf->nexus);

	for (unsigned i = 0; map && i < map->count; i++)
		if (map->entries[i].lu)
			reset_lu(tmf, map->entries[i].lu, asc);
	scsi_lun_map_put(map);
	tmf->rsp = TMF_RSP_COMPLETE;
}

static void query_task(struct scsi_tmf *tmf, struct scsi_lu *lu, enum task_scope scope)
{
	struct list_node *pos;
	bool found = false;

	pthread_mutex_lock(&lu->lock);
	list_for_each(pos, &lu->tasks)
	{
		struct scsi_cmd *cmd = list_entry(pos, struct scsi_cmd, task_node);

		if (cmd->nexus == tmf->nexus && !cmd->aborted &&
		    (scope == TASK_SCOPE_NEXUS || cmd->tag == tmf->ref_tag)) {
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&lu->lock);
	tmf->rsp = found ? TMF_RSP_SUCCEEDED : TMF_RSP_COMPLETE;
}

/* The functions that act on one logical unit. */
static void lu_tmf(struct scsi_tmf *tmf, struct scsi_lu *lu)
{
	bool others;

	switch (tmf->func) {
	case TMF_ABORT_TASK:
		tmf->rsp = scsi_task_set_abort(lu, tmf, TASK_SCOPE_TAG, tmf->nexus, tmf->ref_tag,
					       NULL)
				   ? TMF_RSP_COMPLETE
				   : TMF_RSP_NO_TASK;
		break;
	case TMF_ABORT_TASK_SET:
		scsi_task_set_abort(lu, tmf, TASK_SCOPE_NEXUS, tmf->nexus, 0, NULL);
		tmf->rsp = TMF_RSP_COMPLETE;
		break;
	case TMF_CLEAR_TASK_SET:
		scsi_task_set_abort(lu, tmf, TASK_SCOPE_ALL, tmf->nexus, 0, &others);
		if (others) /* TAS is 0: the other initiators learn it this way */
			scsi_ua_add_all(lu, tmf->nexus, ASC_COMMANDS_CLEARED_BY_ANOTHER);
		tmf->rsp = TMF_RSP_COMPLETE;
		break;
	case TMF_LOGICAL_UNIT_RESET:
		reset_lu(tmf, lu, ASC_LUN_RESET);
		tmf->rsp = TMF_RSP_COMPLETE;
		break;
	case TMF_QUERY_TASK:
		query_task(tmf, lu, TASK_SCOPE_TAG);
		break;
	case TMF_QUERY_TASK_SET:
		query_task(tmf, lu, TASK_SCOPE_NEXUS);
		break;
	case TMF_QUERY_ASYNC_EVENT:
		tmf->rsp = scsi_ua_pending(tmf->nexus, lu) ? TMF_RSP_SUCCEEDED : TMF_RSP_COMPLETE;
		break;
	default:
		tmf->rsp = TMF_RSP_NOT_SUPPORTED;
		break;
	}
}

static void dispatch(struct scsi_tmf *tmf)
{
	struct scsi_lun_map *map;
	const struct scsi_lun_entry *e;

	switch (tmf->func) {
	case TMF_TARGET_WARM_RESET:
		target_reset(tmf, ASC_TARGET_RESET);
		return;
	case TMF_TARGET_COLD_RESET:
		target_reset(tmf, ASC_POWER_ON_OCCURRED);
		return;
	case TMF_CLEAR_ACA: /* NACA is never accepted, so there is no ACA */
		tmf->rsp = TMF_RSP_NOT_SUPPORTED;
		return;
	default:
		break;
	}
	map = scsi_nexus_map(tmf->nexus);
	e = scsi_lun_map_find(map, tmf->lun);
	if (e)
		lu_tmf(tmf, e->lu);
	else
		tmf->rsp = TMF_RSP_NO_LUN;
	scsi_lun_map_put(map);
}

void scsi_tmf_submit(struct scsi_tmf *tmf)
{
	tmf->loop = loop_current();
	/* One count for ourselves, so that commands finishing on other
	 * threads while we still mark cannot complete the TMF early. */
	atomic_init(&tmf->pending, 1);
	tmf->rsp = TMF_RSP_COMPLETE;
	dispatch(tmf);
	scsi_tmf_wait_done(tmf);
}
