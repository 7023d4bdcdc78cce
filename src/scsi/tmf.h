/* Task management functions (SAM-5 section 7), independent of transport. */
#ifndef LUNA_SCSI_TMF_H
#define LUNA_SCSI_TMF_H

#include <stdatomic.h>
#include <stdint.h>

struct scsi_nexus;

enum scsi_tmf_func {
	TMF_ABORT_TASK = 1,
	TMF_ABORT_TASK_SET = 2,
	TMF_CLEAR_ACA = 3,
	TMF_CLEAR_TASK_SET = 4,
	TMF_LOGICAL_UNIT_RESET = 5,
	TMF_TARGET_WARM_RESET = 6,
	TMF_TARGET_COLD_RESET = 7,
	TMF_QUERY_TASK = 8,
	TMF_QUERY_TASK_SET = 9,
	TMF_QUERY_ASYNC_EVENT = 10,
};

enum scsi_tmf_response {
	TMF_RSP_COMPLETE = 0,
	TMF_RSP_NO_TASK = 1,
	TMF_RSP_NO_LUN = 2,
	TMF_RSP_TASK_ALLEGIANT = 3,
	TMF_RSP_NOT_SUPPORTED = 5,
	TMF_RSP_AUTH_FAILED = 6,
	TMF_RSP_REJECTED = 255,
	TMF_RSP_SUCCEEDED = 7, /* QUERY TASK: the task exists */
};

struct scsi_tmf {
	struct scsi_nexus *nexus;
	enum scsi_tmf_func func;
	uint64_t lun;
	uint64_t ref_tag; /* ABORT TASK, QUERY TASK */
	/* Called once, on the thread that submitted, when every aborted command
	 * has left the backstore: from then on no aborted data reaches the
	 * medium. */
	void (*done)(struct scsi_tmf *tmf, enum scsi_tmf_response rsp);
	void *transport_priv;
	/* private */
	atomic_int pending;
	void *loop;
	enum scsi_tmf_response rsp;
};

/* Start a task management function.  Commands that it aborts have their
 * done() called with cmd->aborted set, on their own threads.  tmf->done may
 * be called before this returns.  Commands the transport holds but has not
 * submitted (waiting for Data-Out) are the transport's to abort. */
void scsi_tmf_submit(struct scsi_tmf *tmf);

#endif
