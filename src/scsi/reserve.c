/* RESERVE and RELEASE (6) and (10), SPC-2 7.21 / 7.11: one I_T nexus holds
 * the whole LU until it releases it, its nexus ends, or a reset.  The
 * conflict rules (and those with persistent reservations) are in
 * conflict.c, which has run before these. */
#include "scsi/lu.h"
#include "scsi/nexus.h"
#include "scsi/pr.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define OP_RESERVE_6 0x16
#define OP_RESERVE_10 0x56

/* Third-party and extent reservations are obsolete: refuse them. */
static bool reserve_cdb_ok(struct scsi_cmd *cmd)
{
	const uint8_t *cdb = cmd->cdb;
	unsigned ctl = cdb[0] == OP_RESERVE_10 || cdb[0] == 0x57 ? 9 : 5;

	if (cdb[0] == OP_RESERVE_6 && (cdb[1] & 0x01)) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 0);
		return false;
	}
	if (ctl == 9 && (cdb[1] & 0x12)) { /* 3RDPTY, LONGID */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1,
				     (cdb[1] & 0x10) ? 4 : 1);
		return false;
	}
	if (cdb[ctl] & 0x04) { /* NACA */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, (uint16_t)ctl, 2);
		return false;
	}
	return true;
}

void scsi_reserve(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;
	struct scsi_pr *pr = lu->reservations;
	bool conflict;

	if (!reserve_cdb_ok(cmd))
		return;
	pthread_mutex_lock(&lu->lock);
	conflict = pr->reserve2_nexus && pr->reserve2_nexus != cmd->nexus->id;
	if (!conflict)
		pr->reserve2_nexus = cmd->nexus->id;
	pthread_mutex_unlock(&lu->lock);
	if (conflict) {
		cmd->status = SAM_STAT_RESERVATION_CONFLICT;
		cmd->sense_len = 0;
		return;
	}
	scsi_cmd_good(cmd);
}

/* A RELEASE from anyone but the holder succeeds and changes nothing. */
void scsi_release(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;
	struct scsi_pr *pr = lu->reservations;

	if (!reserve_cdb_ok(cmd))
		return;
	pthread_mutex_lock(&lu->lock);
	if (pr->reserve2_nexus == cmd->nexus->id)
		pr->reserve2_nexus = 0;
	pthread_mutex_unlock(&lu->lock);
	scsi_cmd_good(cmd);
}

void scsi_resv_nexus_loss(struct scsi_lu *lu, const struct scsi_nexus *nx)
{
	struct scsi_pr *pr = lu->reservations;

	if (pr == NULL)
		return;
	pthread_mutex_lock(&lu->lock);
	if (pr->reserve2_nexus == nx->id)
		pr->reserve2_nexus = 0;
	pthread_mutex_unlock(&lu->lock);
}

/* Logical unit and target resets end SPC-2 reservations; persistent ones
 * outlive them (SPC-4 5.13.1). */
void scsi_resv_reset(struct scsi_lu *lu)
{
	struct scsi_pr *pr = lu->reservations;

	if (pr == NULL)
		return;
	pthread_mutex_lock(&lu->lock);
	pr->reserve2_nexus = 0;
	pthread_mutex_unlock(&lu->lock);
}
