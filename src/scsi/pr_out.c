/* PERSISTENT RESERVE OUT service actions (SPC-4 5.13.5 - 5.13.11) as a
 * state machine over struct scsi_pr.  The unit attentions and aborts it
 * causes come back as notices, delivered once the LU lock is dropped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scsi/pr.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define SCOPE_LU 0x0

static uint8_t bad(struct pr_err *err, uint16_t asc, bool in_cdb, uint16_t byte, int bit)
{
	err->asc_ascq = asc;
	err->in_cdb = in_cdb;
	err->byte = byte;
	err->bit = (int8_t)bit;
	return SAM_STAT_CHECK_CONDITION;
}

static void notice(struct pr_notices *ns, const struct pr_ident *id, uint16_t asc, bool abrt)
{
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? 2 * ns->cap : 8;
		ns->v = realloc(ns->v, ns->cap * sizeof(*ns->v));
		if (ns->v == NULL)
			abort();
	}
	ns->v[ns->n].id = *id;
	ns->v[ns->n].asc_ascq = asc;
	ns->v[ns->n].abort = abrt;
	ns->n++;
}

void pr_notices_free(struct pr_notices *ns)
{
	free(ns->v);
	ns->v = NULL;
	ns->n = ns->cap = 0;
}

/* A unit attention for every registrant but the sender. */
static void notify_others(struct scsi_pr *pr, const struct pr_reg *self, uint16_t asc,
			  struct pr_notices *ns)
{
	struct list_node *pos;

	list_for_each(pos, &pr->regs)
	{
		struct pr_reg *r = list_entry(pos, struct pr_reg, node);

		if (r != self)
			notice(ns, &r->id, asc, false);
	}
}

/* Releasing a registrants-only or all-registrants reservation tells the
 * other registrants (SPC-4 5.13.11.2); the plain types tell no one. */
static void released(struct scsi_pr *pr, const struct pr_reg *self, struct pr_notices *ns)
{
	uint8_t type = pr->type;

	pr->type = PR_TYPE_NONE;
	pr->holder = NULL;
	if (pr_type_regs_only(type))
		notify_others(pr, self, ASC_RESERVATIONS_RELEASED, ns);
}

/* TransportIDs of SPEC_I_PT: all or none get registered. */
static uint8_t register_tids(struct scsi_pr *pr, const struct pr_ident *me,
			     const struct prout_req *req, struct pr_err *err)
{
	struct pr_ident ids[PR_MAX_REGS];
	size_t off = 0;
	unsigned n = 0;

	while (off < req->tids_len) {
		struct pr_ident *id = &ids[n];
		int l;

		if (n == PR_MAX_REGS)
			return bad(err, ASC_INSUFFICIENT_REGISTRATION_RESOURCES, false, 0, -1);
		memset(id, 0, sizeof(*id));
		l = pr_tid_parse(req->tids + off, req->tids_len - off, id);
		if (l < 0)
			return bad(err, ASC_INVALID_FIELD_IN_PARAM_LIST, false,
				   (uint16_t)(28 + off), -1);
		strlcpy_luna(id->tport, me->tport, sizeof(id->tport));
		id->rtpi = me->rtpi;
		id->all_tg_pt = req->all_tg_pt;
		if (pr_find(pr, id))
			return bad(err, ASC_INVALID_FIELD_IN_PARAM_LIST, false,
				   (uint16_t)(28 + off), -1);
		off += (size_t)l;
		n++;
	}
	if (pr->nregs + n + 1 > PR_MAX_REGS)
		return bad(err, ASC_INSUFFICIENT_REGISTRATION_RESOURCES, false, 0, -1);
	for (unsigned i = 0; i < n; i++)
		pr_add(pr, &ids[i], req->sa_key);
	return SAM_STAT_GOOD;
}

static uint8_t do_register(struct scsi_pr *pr, struct pr_reg *reg, const struct pr_ident *me,
			   const struct prout_req *req, struct pr_notices *ns, struct pr_err *err)
{
	bool ignore = req->sa == PROUT_REGISTER_AND_IGNORE;
	struct pr_ident id = *me;

	if (reg == NULL) {
		if (!ignore && req->key != 0)
			return SAM_STAT_RESERVATION_CONFLICT;
		if (req->sa_key == 0)
			return SAM_STAT_GOOD; /* nothing to register */
		if (req->spec_i_pt && register_tids(pr, me, req, err) != SAM_STAT_GOOD)
			return SAM_STAT_CHECK_CONDITION;
		id.all_tg_pt = req->all_tg_pt;
		if (pr_add(pr, &id, req->sa_key) == NULL)
			return bad(err, ASC_INSUFFICIENT_REGISTRATION_RESOURCES, false, 0, -1);
		pr->aptpl = req->aptpl;
	} else {
		if (!ignore && req->key != reg->key)
			return SAM_STAT_RESERVATION_CONFLICT;
		if (req->spec_i_pt)
			return bad(err, ASC_INVALID_FIELD_IN_PARAM_LIST, false, 20, 3);
		if (req->sa_key == 0) {
			if (pr_is_holder(pr, reg) && !pr_type_all_regs(pr->type))
				released(pr, reg, ns);
			pr_remove(pr, reg);
		} else {
			reg->key = req->sa_key;
			pr->aptpl = req->aptpl;
		}
	}
	pr->generation++;
	return SAM_STAT_GOOD;
}

static uint8_t do_reserve(struct scsi_pr *pr, struct pr_reg *reg, const struct prout_req *req,
			  struct pr_err *err)
{
	if (req->scope != SCOPE_LU)
		return bad(err, ASC_INVALID_FIELD_IN_CDB, true, 2, 7);
	if (!pr_type_valid(req->type))
		return bad(err, ASC_INVALID_FIELD_IN_CDB, true, 2, 3);
	if (pr->type != PR_TYPE_NONE) {
		/* Reserving again what one holds is a no-op; anything else
		 * conflicts (SPC-4 5.13.9). */
		if (pr_is_holder(pr, reg) && pr->type == req->type)
			return SAM_STAT_GOOD;
		return SAM_STAT_RESERVATION_CONFLICT;
	}
	pr->type = req->type;
	pr->holder = reg;
	return SAM_STAT_GOOD;
}

static uint8_t do_release(struct scsi_pr *pr, struct pr_reg *reg, const struct prout_req *req,
			  struct pr_notices *ns, struct pr_err *err)
{
	if (!pr_is_holder(pr, reg))
		return SAM_STAT_GOOD; /* no reservation, or someone else's: no-op */
	if (req->scope != SCOPE_LU)
		return bad(err, ASC_INVALID_FIELD_IN_CDB, true, 2, 7);
	if (req->type != pr->type)
		return bad(err, ASC_INVALID_RELEASE_OF_PR, true, 2, 3);
	released(pr, reg, ns);
	return SAM_STAT_GOOD;
}

static uint8_t do_clear(struct scsi_pr *pr, struct pr_reg *reg, struct pr_notices *ns)
{
	struct list_node *pos, *tmp;

	notify_others(pr, reg, ASC_RESERVATIONS_PREEMPTED, ns);
	list_for_each_safe(pos, tmp, &pr->regs)
	{
		pr_remove(pr, list_entry(pos, struct pr_reg, node));
	}
	pr->type = PR_TYPE_NONE;
	pr->holder = NULL;
	pr->generation++;
	return SAM_STAT_GOOD;
}

/* Remove the registrations with `key` (every other one when all is set),
 * sparing the sender's; returns how many went. */
static unsigned preempt_regs(struct scsi_pr *pr, struct pr_reg *self, uint64_t key, bool all,
			     bool abort, struct pr_notices *ns)
{
	struct list_node *pos, *tmp;
	unsigned n = 0;

	list_for_each_safe(pos, tmp, &pr->regs)
	{
		struct pr_reg *r = list_entry(pos, struct pr_reg, node);

		if (r == self || (!all && r->key != key))
			continue;
		notice(ns, &r->id, ASC_REGISTRATIONS_PREEMPTED, abort);
		pr_remove(pr, r);
		n++;
	}
	return n;
}

/* The preemptor takes the reservation.  If its type changes, the
 * registrants left learn that the old one was released. */
static void take_over(struct scsi_pr *pr, struct pr_reg *self, uint8_t type, struct pr_notices *ns)
{
	uint8_t old = pr->type;

	pr->type = type;
	pr->holder = self;
	if (old != type)
		notify_others(pr, self, ASC_RESERVATIONS_RELEASED, ns);
}

static uint8_t do_preempt(struct scsi_pr *pr, struct pr_reg *reg, const struct prout_req *req,
			  struct pr_notices *ns, struct pr_err *err)
{
	bool abort = req->sa == PROUT_PREEMPT_AND_ABORT;
	bool holder_key;

	if (pr->type != PR_TYPE_NONE && req->scope != SCOPE_LU)
		return bad(err, ASC_INVALID_FIELD_IN_CDB, true, 2, 7);
	if (pr->type != PR_TYPE_NONE && !pr_type_valid(req->type))
		return bad(err, ASC_INVALID_FIELD_IN_CDB, true, 2, 3);
	if (pr->type != PR_TYPE_NONE && pr_type_all_regs(pr->type)) {
		if (req->sa_key == 0) {
			/* Everyone else goes; the sender takes the reservation. */
			preempt_regs(pr, reg, 0, true, abort, ns);
			take_over(pr, reg, req->type, ns);
		} else if (preempt_regs(pr, reg, req->sa_key, false, abort, ns) == 0) {
			return SAM_STAT_RESERVATION_CONFLICT;
		}
		pr->generation++;
		return SAM_STAT_GOOD;
	}
	holder_key = pr->type != PR_TYPE_NONE && pr->holder->key == req->sa_key;
	if (!holder_key) {
		/* Only registrations go (SPC-4 5.13.11.2.3). */
		if (req->sa_key == 0)
			return bad(err, ASC_INVALID_FIELD_IN_PARAM_LIST, false, 8, -1);
		if (preempt_regs(pr, reg, req->sa_key, false, abort, ns) == 0)
			return SAM_STAT_RESERVATION_CONFLICT;
		pr->generation++;
		return SAM_STAT_GOOD;
	}
	preempt_regs(pr, reg, req->sa_key, false, abort, ns);
	take_over(pr, reg, req->type, ns);
	pr->generation++;
	return SAM_STAT_GOOD;
}

/* The target port a REGISTER AND MOVE names by its relative identifier.
 * Luna numbers a target's ports by their TPG tag. */
static void move_target_port(const struct pr_ident *me, uint16_t rtpi, struct pr_ident *dst)
{
	char tname[PR_TPORT_MAX];
	char *comma;

	dst->rtpi = rtpi;
	if (rtpi == me->rtpi) {
		strlcpy_luna(dst->tport, me->tport, sizeof(dst->tport));
		return;
	}
	strlcpy_luna(tname, me->tport, sizeof(tname));
	comma = strstr(tname, ",t,0x");
	if (comma)
		*comma = '\0';
	snprintf(dst->tport, sizeof(dst->tport), "%.280s,t,0x%04x", tname, rtpi);
}

static uint8_t do_move(struct scsi_pr *pr, struct pr_reg *reg, const struct pr_ident *me,
		       const struct prout_req *req, struct pr_err *err)
{
	struct pr_ident dst;
	struct pr_reg *dreg;

	memset(&dst, 0, sizeof(dst));
	if (!pr_is_holder(pr, reg) || pr_type_all_regs(pr->type))
		return SAM_STAT_RESERVATION_CONFLICT;
	if (req->sa_key == 0)
		return bad(err, ASC_INVALID_FIELD_IN_PARAM_LIST, false, 8, -1);
	if (pr_tid_parse(req->tids, req->tids_len, &dst) < 0 || dst.isid[0] == '\0')
		return bad(err, ASC_INVALID_FIELD_IN_PARAM_LIST, false, 24, -1);
	move_target_port(me, req->rtpi, &dst);
	if (pr_ident_covers(&dst, me))
		return bad(err, ASC_INVALID_FIELD_IN_PARAM_LIST, false, 24, -1);
	dreg = pr_find(pr, &dst);
	if (dreg == NULL && (dreg = pr_add(pr, &dst, req->sa_key)) == NULL)
		return bad(err, ASC_INSUFFICIENT_REGISTRATION_RESOURCES, false, 0, -1);
	pr->holder = dreg;
	if (req->unreg)
		pr_remove(pr, reg);
	pr->aptpl = req->aptpl;
	pr->generation++;
	return SAM_STAT_GOOD;
}

uint8_t pr_out_apply(struct scsi_pr *pr, const struct pr_ident *me, const struct prout_req *req,
		     struct pr_notices *ns, struct pr_err *err)
{
	struct pr_reg *reg = pr_find(pr, me);

	if (req->sa == PROUT_REGISTER || req->sa == PROUT_REGISTER_AND_IGNORE)
		return do_register(pr, reg, me, req, ns, err);
	/* Every other service action needs a registration and its key. */
	if (reg == NULL || reg->key != req->key)
		return SAM_STAT_RESERVATION_CONFLICT;
	switch (req->sa) {
	case PROUT_RESERVE:
		return do_reserve(pr, reg, req, err);
	case PROUT_RELEASE:
		return do_release(pr, reg, req, ns, err);
	case PROUT_CLEAR:
		return do_clear(pr, reg, ns);
	case PROUT_PREEMPT:
	case PROUT_PREEMPT_AND_ABORT:
		return do_preempt(pr, reg, req, ns, err);
	default:
		return do_move(pr, reg, me, req, err);
	}
}
