/* PERSISTENT RESERVE OUT as a command: parse, apply under the LU lock,
 * save APTPL state, then tell the other I_T nexuses. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"
#include "scsi/pr.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"
#include "scsi/task_set.h"

struct deliver_arg {
	struct scsi_lu *lu;
	const struct pr_notice *n;
	uint64_t sender;
};

static void deliver_one(struct scsi_nexus *nx, void *arg)
{
	struct deliver_arg *a = arg;
	struct pr_ident id;

	if (nx->id == a->sender || !scsi_nexus_sees_lu(nx, a->lu))
		return;
	pr_ident_of_nexus(&id, nx);
	if (!pr_ident_covers(&a->n->id, &id))
		return;
	if (a->n->abort)
		scsi_task_set_abort(a->lu, NULL, TASK_SCOPE_NEXUS, nx, 0, NULL);
	scsi_ua_add(nx, a->lu, a->n->asc_ascq);
}

/* Without the LU lock: the nexus list lock comes first. */
static void deliver(struct scsi_lu *lu, const struct pr_notices *ns, uint64_t sender)
{
	for (unsigned i = 0; i < ns->n; i++) {
		struct deliver_arg a = {lu, &ns->v[i], sender};

		scsi_nexus_foreach(deliver_one, &a);
	}
}

static void set_pr_err(struct scsi_cmd *cmd, const struct pr_err *err)
{
	if (err->asc_ascq == ASC_INVALID_OPCODE ||
	    err->asc_ascq == ASC_INSUFFICIENT_REGISTRATION_RESOURCES)
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, err->asc_ascq);
	else
		scsi_sense_set_field(cmd, err->asc_ascq, err->in_cdb, err->byte, err->bit);
}

/* With the LU lock held.  A failed save is logged, not failed: the
 * reservation itself took effect, and the initiator cannot fix our disk. */
static void save_if_needed(struct scsi_lu *lu, struct scsi_pr *pr)
{
	int r;

	if (!pr->aptpl && !pr->saved)
		return;
	r = pr_persist_save(pr, lu->naa);
	if (r < 0)
		log_err("logical unit %s: cannot save persistent reservations: %s", lu->name,
			strerror(-r));
	else
		pr->saved = pr->aptpl;
}

void scsi_pr_out(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;
	struct scsi_pr *pr = lu->reservations;
	struct pr_notices ns = {0};
	struct prout_req req;
	struct pr_ident me;
	struct pr_err err;
	uint8_t st;

	if (prout_parse(cmd->cdb, cmd->cdb_len, cmd->out.data, cmd->out.len, &req, &err) < 0) {
		set_pr_err(cmd, &err);
		return;
	}
	pr_ident_of_nexus(&me, cmd->nexus);
	pthread_mutex_lock(&lu->lock);
	st = pr_out_apply(pr, &me, &req, &ns, &err);
	if (st == SAM_STAT_GOOD)
		save_if_needed(lu, pr);
	pthread_mutex_unlock(&lu->lock);
	deliver(lu, &ns, cmd->nexus->id);
	pr_notices_free(&ns);
	if (st == SAM_STAT_CHECK_CONDITION) {
		set_pr_err(cmd, &err);
		return;
	}
	cmd->status = st;
	cmd->sense_len = 0;
}

int scsi_resv_lu_init(struct scsi_lu *lu)
{
	struct scsi_pr *pr = xcalloc(1, sizeof(*pr));

	pr_init(pr);
	if (pr_persist_load(pr, lu->naa) < 0) {
		log_err("logical unit %s: ignoring unreadable saved persistent reservations",
			lu->name);
		pr_fini(pr);
		pr_init(pr);
	}
	lu->reservations = pr;
	return 0;
}

void scsi_resv_lu_fini(struct scsi_lu *lu)
{
	struct scsi_pr *pr = lu->reservations;

	if (pr == NULL)
		return;
	pr_fini(pr);
	free(pr);
	lu->reservations = NULL;
}

bool scsi_resv_exec(struct scsi_cmd *cmd)
{
	switch (cmd->cdb[0]) {
	case 0x5e:
		scsi_pr_in(cmd);
		return true;
	case 0x5f:
		scsi_pr_out(cmd);
		return true;
	case 0x16:
	case 0x56:
		scsi_reserve(cmd);
		return true;
	case 0x17:
	case 0x57:
		scsi_release(cmd);
		return true;
	default:
		return false;
	}
}
