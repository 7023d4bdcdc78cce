/* The task set of a logical unit and the aborting of its commands. */
#include "scsi/task_set.h"

#include <stdlib.h>

#include "common/util.h"
#include "scsi/lu.h"
#include "scsi/scsi_cmd.h"
#include "scsi/tmf.h"

/* One TMF waiting for one aborted command. */
struct abort_wait {
	struct list_node node;
	struct scsi_tmf *tmf;
};

void scsi_task_set_add(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;

	pthread_mutex_lock(&lu->lock);
	list_add_tail(&lu->tasks, &cmd->task_node);
	cmd->in_task_set = true;
	pthread_mutex_unlock(&lu->lock);
}

void scsi_task_set_remove(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;
	struct list_node waits, *pos, *tmp;

	list_init(&waits);
	pthread_mutex_lock(&lu->lock);
	list_del(&cmd->task_node);
	cmd->in_task_set = false;
	/* Move the waits out so the TMFs finish without the LU lock held. */
	if (!list_empty(&cmd->abort_waits)) {
		list_insert_between(&waits, cmd->abort_waits.prev, cmd->abort_waits.next);
		list_init(&cmd->abort_waits);
	}
	pthread_mutex_unlock(&lu->lock);

	list_for_each_safe(pos, tmp, &waits)
	{
		struct abort_wait *w = list_entry(pos, struct abort_wait, node);

		list_del(pos);
		scsi_tmf_wait_done(w->tmf);
		free(w);
	}
}

static bool in_scope(const struct scsi_cmd *cmd, enum task_scope scope, struct scsi_nexus *nx,
		     uint64_t tag)
{
	switch (scope) {
	case TASK_SCOPE_TAG:
		return cmd->nexus == nx && cmd->tag == tag;
	case TASK_SCOPE_NEXUS:
		return cmd->nexus == nx;
	case TASK_SCOPE_ALL:
		return true;
	}
	return false;
}

/* With lu->lock held.  A command aborted earlier is still waited for: the
 * TMF promises that nothing older than it reaches the medium afterwards. */
static void abort_locked(struct scsi_cmd *cmd, struct scsi_tmf *tmf)
{
	cmd->aborted = true;
	if (tmf) {
		struct abort_wait *w = xcalloc(1, sizeof(*w));

		w->tmf = tmf;
		atomic_fetch_add(&tmf->pending, 1);
		list_add_tail(&cmd->abort_waits, &w->node);
	}
}

unsigned scsi_task_set_abort(struct scsi_lu *lu, struct scsi_tmf *tmf, enum task_scope scope,
			     struct scsi_nexus *nx, uint64_t tag, bool *others)
{
	struct list_node *pos;
	unsigned n = 0;

	if (others)
		*others = false;
	pthread_mutex_lock(&lu->lock);
	list_for_each(pos, &lu->tasks)
	{
		struct scsi_cmd *cmd = list_entry(pos, struct scsi_cmd, task_node);

		if (!in_scope(cmd, scope, nx, tag))
			continue;
		abort_locked(cmd, tmf);
		if (others && cmd->nexus != nx)
			*others = true;
		n++;
	}
	pthread_mutex_unlock(&lu->lock);
	return n;
}

void scsi_task_set_nexus_loss(struct scsi_lu *lu, struct scsi_nexus *nx)
{
	scsi_task_set_abort(lu, NULL, TASK_SCOPE_NEXUS, nx, 0, NULL);
}
