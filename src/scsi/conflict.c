/* Which commands a reservation lets through (SPC-4 table "SPC commands
 * that are allowed in the presence of various reservations", SBC-4 table
 * "SBC commands that are allowed in the presence of various
 * reservations"), and the SPC-2 RESERVE rules.  The check runs in the core,
 * before the device type sees the command. */
#include <pthread.h>

#include "scsi/lu.h"
#include "scsi/nexus.h"
#include "scsi/pr.h"
#include "scsi/scsi_cmd.h"

/* How a command fares against a reservation it does not hold. */
enum pr_access {
	ACC_ALLOWED,  /* allowed under every type */
	ACC_READ,     /* allowed under the write exclusive types only */
	ACC_CONFLICT, /* conflicts under every type */
};

static enum pr_access maintenance_in_access(uint8_t sa)
{
	switch (sa) {
	case 0x05: /* REPORT IDENTIFYING INFORMATION */
	case 0x0a: /* REPORT TARGET PORT GROUPS */
	case 0x0b: /* REPORT ALIASES */
	case 0x0c: /* REPORT SUPPORTED OPERATION CODES */
	case 0x0d: /* REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS */
	case 0x0e: /* REPORT PRIORITY */
	case 0x0f: /* REPORT TIMESTAMP */
		return ACC_ALLOWED;
	default:
		return ACC_CONFLICT;
	}
}

static enum pr_access service_action_in_16_access(uint8_t sa)
{
	switch (sa) {
	case 0x10: /* READ CAPACITY (16) */
	case 0x13: /* REPORT REFERRALS */
		return ACC_ALLOWED;
	case 0x11: /* READ LONG (16) */
	case 0x12: /* GET LBA STATUS */
		return ACC_READ;
	default:
		return ACC_CONFLICT;
	}
}

/* Commands that read the medium (or only its cache) but change nothing. */
static bool is_read_type(uint8_t op)
{
	switch (op) {
	case 0x08: /* READ (6) */
	case 0x28: /* READ (10) */
	case 0xa8: /* READ (12) */
	case 0x88: /* READ (16) */
	case 0x7f: /* READ (32) and other variable-length reads */
	case 0x2f: /* VERIFY (10) */
	case 0xaf: /* VERIFY (12) */
	case 0x8f: /* VERIFY (16) */
	case 0x34: /* PRE-FETCH (10) */
	case 0x90: /* PRE-FETCH (16) */
	case 0x35: /* SYNCHRONIZE CACHE (10) */
	case 0x91: /* SYNCHRONIZE CACHE (16) */
	case 0x37: /* READ DEFECT DATA (10) */
	case 0xb7: /* READ DEFECT DATA (12) */
	case 0x3e: /* READ LONG (10) */
		return true;
	default:
		return false;
	}
}

static enum pr_access command_access(const uint8_t *cdb)
{
	switch (cdb[0]) {
	case 0x00: /* TEST UNIT READY */
	case 0x03: /* REQUEST SENSE */
	case 0x12: /* INQUIRY */
	case 0x25: /* READ CAPACITY (10) */
	case 0x4d: /* LOG SENSE */
	case 0x5e: /* PERSISTENT RESERVE IN */
	case 0x5f: /* PERSISTENT RESERVE OUT: the service action decides */
	case 0x86: /* ACCESS CONTROL IN */
	case 0x87: /* ACCESS CONTROL OUT */
	case 0xa0: /* REPORT LUNS */
		return ACC_ALLOWED;
	case 0x1b: /* START STOP UNIT: only START=1 with no power condition */
		return ((cdb[4] & 0xf1) == 0x01) ? ACC_ALLOWED : ACC_CONFLICT;
	case 0x1e: /* PREVENT ALLOW MEDIUM REMOVAL: allowing is harmless */
		return (cdb[4] & 0x03) == 0 ? ACC_ALLOWED : ACC_CONFLICT;
	case 0xab: /* SERVICE ACTION IN (12): READ MEDIA SERIAL NUMBER */
		return (cdb[1] & 0x1f) == 0x01 ? ACC_ALLOWED : ACC_CONFLICT;
	case 0xa3:
		return maintenance_in_access(cdb[1] & 0x1f);
	case 0x9e:
		return service_action_in_16_access(cdb[1] & 0x1f);
	default:
		return is_read_type(cdb[0]) ? ACC_READ : ACC_CONFLICT;
	}
}

static bool type_write_exclusive(uint8_t type)
{
	return type == PR_TYPE_WE || type == PR_TYPE_WERO || type == PR_TYPE_WEAR;
}

bool pr_conflicts(const struct scsi_pr *pr, const struct pr_reg *reg, const uint8_t *cdb)
{
	enum pr_access a;

	if (pr->type == PR_TYPE_NONE || pr_is_holder(pr, reg))
		return false;
	/* Registrants-only: a registered I_T nexus has full access. */
	if (reg && pr_type_regs_only(pr->type))
		return false;
	a = command_access(cdb);
	if (a == ACC_ALLOWED)
		return false;
	return !(a == ACC_READ && type_write_exclusive(pr->type));
}

static bool is_reserve_release(uint8_t op)
{
	return op == 0x16 || op == 0x17 || op == 0x56 || op == 0x57;
}

/* SPC-2 7.21: a RESERVE(6) reservation lets other I_T nexuses do little
 * more than find out about the LU; their RELEASE is answered GOOD (it runs
 * and does nothing). */
static bool reserve2_allows(uint8_t op, const uint8_t *cdb)
{
	switch (op) {
	case 0x03: /* REQUEST SENSE */
	case 0x12: /* INQUIRY */
	case 0xa0: /* REPORT LUNS */
	case 0x17: /* RELEASE (6) */
	case 0x57: /* RELEASE (10) */
		return true;
	case 0xa3:
		return maintenance_in_access(cdb[1] & 0x1f) == ACC_ALLOWED;
	default:
		return false;
	}
}

/* With lu->lock held. */
static bool conflict_locked(struct scsi_pr *pr, struct scsi_cmd *cmd)
{
	uint8_t op = cmd->cdb[0];
	struct pr_ident me;

	if (pr->reserve2_nexus && pr->reserve2_nexus != cmd->nexus->id)
		return !reserve2_allows(op, cmd->cdb);
	/* SPC-4 5.13.3: while anyone is registered, RESERVE and RELEASE
	 * conflict, whoever sends them. */
	if (is_reserve_release(op))
		return pr->nregs > 0;
	if (pr->type == PR_TYPE_NONE)
		return false;
	pr_ident_of_nexus(&me, cmd->nexus);
	return pr_conflicts(pr, pr_find(pr, &me), cmd->cdb);
}

bool scsi_resv_check(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;
	struct scsi_pr *pr = lu->reservations;
	bool conflict;

	if (pr == NULL)
		return false;
	pthread_mutex_lock(&lu->lock);
	conflict = conflict_locked(pr, cmd);
	pthread_mutex_unlock(&lu->lock);
	if (conflict) {
		cmd->status = SAM_STAT_RESERVATION_CONFLICT;
		cmd->sense_len = 0;
	}
	return conflict;
}
