/* Running a task management function in a unit test and keeping its
 * answer. */
#ifndef LUNA_TEST_FAKE_TMF_H
#define LUNA_TEST_FAKE_TMF_H

#include <string.h>

#include "common/util.h"
#include "scsi/tmf.h"

struct tmf_result {
	struct scsi_tmf tmf;
	int calls;
	enum scsi_tmf_response rsp;
};

static inline void tmf_done(struct scsi_tmf *tmf, enum scsi_tmf_response rsp)
{
	struct tmf_result *r = container_of(tmf, struct tmf_result, tmf);

	r->calls++;
	r->rsp = rsp;
}

/* Submit fn on nx for lun (and task tag); the answer lands in *r. */
static inline void tmf_run(struct tmf_result *r, struct scsi_nexus *nx, enum scsi_tmf_func fn,
			   uint64_t lun, uint64_t tag)
{
	memset(r, 0, sizeof(*r));
	r->tmf.nexus = nx;
	r->tmf.func = fn;
	r->tmf.lun = lun;
	r->tmf.ref_tag = tag;
	r->tmf.done = tmf_done;
	scsi_tmf_submit(&r->tmf);
}

#endif
