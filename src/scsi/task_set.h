/* The task set of a logical unit (SAM-5 8): the commands in execution,
 * kept on lu->tasks under lu->lock, and how task management and nexus loss
 * abort them.  Private to the SCSI core. */
#ifndef LUNA_SCSI_TASK_SET_H
#define LUNA_SCSI_TASK_SET_H

#include <stdbool.h>
#include <stdint.h>

struct scsi_cmd;
struct scsi_lu;
struct scsi_nexus;
struct scsi_tmf;

void scsi_task_set_add(struct scsi_cmd *cmd);
/* The command has its status: leave the task set and let the TMFs that
 * wait for it go on. */
void scsi_task_set_remove(struct scsi_cmd *cmd);

/* Which commands of an LU a TMF aborts. */
enum task_scope {
	TASK_SCOPE_TAG,	  /* one command of the nexus, by tag */
	TASK_SCOPE_NEXUS, /* every command of the nexus */
	TASK_SCOPE_ALL,	  /* every command of every nexus */
};

/* Abort the matching commands (tmf, when given, waits for each of them).
 * Returns how many matched; *others tells whether any belonged to another
 * nexus than nx. */
unsigned scsi_task_set_abort(struct scsi_lu *lu, struct scsi_tmf *tmf, enum task_scope scope,
			     struct scsi_nexus *nx, uint64_t tag, bool *others);

/* I_T nexus loss: abort the nexus's commands on lu. */
void scsi_task_set_nexus_loss(struct scsi_lu *lu, struct scsi_nexus *nx);

/* A TMF's wait for one aborted command has ended. */
void scsi_tmf_wait_done(struct scsi_tmf *tmf);

#endif
