/* Persistent reservation state: registrations and the reservation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "scsi/nexus.h"
#include "scsi/pr.h"

void pr_init(struct scsi_pr *pr)
{
	memset(pr, 0, sizeof(*pr));
	list_init(&pr->regs);
}

void pr_fini(struct scsi_pr *pr)
{
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &pr->regs)
	{
		list_del(pos);
		free(list_entry(pos, struct pr_reg, node));
	}
	pr->nregs = 0;
	pr->type = PR_TYPE_NONE;
	pr->holder = NULL;
}

bool pr_type_valid(uint8_t type)
{
	switch (type) {
	case PR_TYPE_WE:
	case PR_TYPE_EA:
	case PR_TYPE_WERO:
	case PR_TYPE_EARO:
	case PR_TYPE_WEAR:
	case PR_TYPE_EAAR:
		return true;
	default:
		return false;
	}
}

bool pr_type_all_regs(uint8_t type)
{
	return type == PR_TYPE_WEAR || type == PR_TYPE_EAAR;
}

bool pr_type_regs_only(uint8_t type)
{
	return type == PR_TYPE_WERO || type == PR_TYPE_EARO || pr_type_all_regs(type);
}

void pr_ident_of_nexus(struct pr_ident *id, const struct scsi_nexus *nx)
{
	memset(id, 0, sizeof(*id));
	strlcpy_luna(id->iname, nx->initiator_name, sizeof(id->iname));
	snprintf(id->isid, sizeof(id->isid), "%02x%02x%02x%02x%02x%02x", nx->isid[0], nx->isid[1],
		 nx->isid[2], nx->isid[3], nx->isid[4], nx->isid[5]);
	strlcpy_luna(id->tport, nx->target_port, sizeof(id->tport));
	id->rtpi = nx->rel_port_id;
}

/* iSCSI names compare without regard to case (RFC 3722 folds them). */
bool pr_ident_covers(const struct pr_ident *reg, const struct pr_ident *nexus_id)
{
	if (strcasecmp(reg->iname, nexus_id->iname) != 0)
		return false;
	if (reg->isid[0] && strcasecmp(reg->isid, nexus_id->isid) != 0)
		return false;
	return reg->all_tg_pt || strcasecmp(reg->tport, nexus_id->tport) == 0;
}

bool pr_ident_same(const struct pr_ident *a, const struct pr_ident *b)
{
	return strcasecmp(a->iname, b->iname) == 0 && strcasecmp(a->isid, b->isid) == 0 &&
	       a->all_tg_pt == b->all_tg_pt &&
	       (a->all_tg_pt || strcasecmp(a->tport, b->tport) == 0);
}

struct pr_reg *pr_find(struct scsi_pr *pr, const struct pr_ident *nexus_id)
{
	struct list_node *pos;

	list_for_each(pos, &pr->regs)
	{
		struct pr_reg *r = list_entry(pos, struct pr_reg, node);

		if (pr_ident_covers(&r->id, nexus_id))
			return r;
	}
	return NULL;
}

struct pr_reg *pr_add(struct scsi_pr *pr, const struct pr_ident *id, uint64_t key)
{
	struct pr_reg *r;

	if (pr->nregs >= PR_MAX_REGS)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	r->key = key;
	r->id = *id;
	list_add_tail(&pr->regs, &r->node);
	pr->nregs++;
	return r;
}

/* An all-registrants reservation passes to another registrant when the
 * one that took it goes; it ends with the last registration. */
static void holder_gone(struct scsi_pr *pr)
{
	if (pr_type_all_regs(pr->type) && !list_empty(&pr->regs)) {
		pr->holder = list_first(&pr->regs, struct pr_reg, node);
		return;
	}
	pr->holder = NULL;
	pr->type = PR_TYPE_NONE;
}

void pr_remove(struct scsi_pr *pr, struct pr_reg *reg)
{
	list_del(&reg->node);
	pr->nregs--;
	if (pr->holder == reg)
		holder_gone(pr);
	free(reg);
}

bool pr_is_holder(const struct scsi_pr *pr, const struct pr_reg *reg)
{
	if (reg == NULL || pr->type == PR_TYPE_NONE)
		return false;
	return pr_type_all_regs(pr->type) || pr->holder == reg;
}
