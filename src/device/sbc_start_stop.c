/* START STOP UNIT (SBC-4 5.25) and PREVENT ALLOW MEDIUM REMOVAL (5.13).
 *
 * PREVENT is held per I_T nexus: the medium may be removed only when no
 * nexus holds it.  Holders are kept by nexus id and checked against the
 * live nexuses, so a nexus that is gone (I_T nexus loss, logout) holds
 * nothing; resets clear the holders through sbc_lu_reset(). */
#include <string.h>

#include "device/dev.h"
#include "device/sbc.h"
#include "device/sbc_lu.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define PC_START_VALID 0x0

struct live_arg {
	uint64_t id;
	bool found;
};

static void find_nexus(struct scsi_nexus *nx, void *arg)
{
	struct live_arg *a = arg;

	if (nx->id == a->id && !nx->gone)
		a->found = true;
}

static bool nexus_alive(uint64_t id)
{
	struct live_arg a = {id, false};

	scsi_nexus_foreach(find_nexus, &a);
	return a.found;
}

/* With lu->lock held: forget holders whose nexus is gone. */
static void prune_prevent(struct sbc_lu *s)
{
	unsigned j = 0;

	for (unsigned i = 0; i < s->nprevent; i++)
		if (nexus_alive(s->prevent[i]))
			s->prevent[j++] = s->prevent[i];
	s->nprevent = j;
}

bool sbc_removal_prevented(struct scsi_lu *lu)
{
	struct sbc_lu *s = sbc_lu(lu);
	bool r;

	pthread_mutex_lock(&lu->lock);
	prune_prevent(s);
	r = s->nprevent > 0;
	pthread_mutex_unlock(&lu->lock);
	return r;
}

static int set_prevent(struct scsi_lu *lu, uint64_t nexus_id, bool prevent)
{
	struct sbc_lu *s = sbc_lu(lu);
	int rc = 0;
	unsigned i;

	pthread_mutex_lock(&lu->lock);
	prune_prevent(s);
	for (i = 0; i < s->nprevent && s->prevent[i] != nexus_id; i++)
		;
	if (prevent && i == s->nprevent) {
		if (s->nprevent < SBC_PREVENT_MAX)
			s->prevent[s->nprevent++] = nexus_id;
		else
			rc = -1;
	} else if (!prevent && i < s->nprevent) {
		s->prevent[i] = s->prevent[--s->nprevent];
	}
	lu->prevent = s->nprevent;
	pthread_mutex_unlock(&lu->lock);
	return rc;
}

void sbc_lu_reset(struct scsi_lu *lu)
{
	struct sbc_lu *s = sbc_lu(lu);

	if (s == NULL)
		return;
	pthread_mutex_lock(&lu->lock);
	s->nprevent = 0;
	lu->prevent = 0;
	pthread_mutex_unlock(&lu->lock);
}

void sbc_prevent_allow(struct scsi_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;

	if (c[1] || c[2] || c[3] || (c[4] & 0xfc)) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, c[4] & 0xfc ? 4 : 1, -1);
		return;
	}
	if (c[5] & 0x04) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 5, 2);
		return;
	}
	/* PREVENT 01b: medium removal; 1xb (changer) has no meaning here. */
	if ((c[4] & 0x03) > 1) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 4, 1);
		return;
	}
	if (set_prevent(cmd->lu, cmd->nexus->id, c[4] & 0x01) < 0) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_INSUFFICIENT_REGISTRATION_RESOURCES);
		return;
	}
	scsi_cmd_good(cmd);
}

/* LOEJ: load (start) or eject (stop) a removable medium. */
static bool load_eject(struct scsi_cmd *cmd, bool start)
{
	struct scsi_lu *lu = cmd->lu;

	if (!lu->removable) {
		/* A fixed disk has nothing to eject: LOEJ is not supported. */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 4, 1);
		return false;
	}
	if (sbc_removal_prevented(lu)) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
		return false;
	}
	pthread_mutex_lock(&lu->lock);
	lu->medium_present = start;
	pthread_mutex_unlock(&lu->lock);
	return true;
}

void sbc_start_stop_unit(struct scsi_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	struct scsi_lu *lu = cmd->lu;
	bool start = c[4] & 0x01, loej = c[4] & 0x02;

	if ((c[1] & 0xfe) || c[2] || (c[3] & 0xf0) || (c[4] & 0x08)) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true,
				     (c[1] & 0xfe) ? 1 : c[2] ? 2 : (c[3] & 0xf0) ? 3 : 4, -1);
		return;
	}
	if (c[5] & 0x04) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 5, 2);
		return;
	}
	/* A POWER CONDITION other than START_VALID changes power state only;
	 * START and LOEJ are ignored (SBC-4 5.25).  Luna has one state. */
	if ((c[4] >> 4) != PC_START_VALID) {
		scsi_cmd_good(cmd);
		return;
	}
	if (loej && !load_eject(cmd, start))
		return;
	pthread_mutex_lock(&lu->lock);
	lu->started = start;
	pthread_mutex_unlock(&lu->lock);
	scsi_cmd_good(cmd);
}
