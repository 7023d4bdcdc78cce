/* MODE SELECT (6) and (10) (SPC-4 6.11, 6.12) for the caching, control
 * and informational exceptions pages.  A change raises MODE PARAMETERS
 * CHANGED on every other I_T nexus that sees the LU. */
#include <string.h>

#include "common/bytes.h"
#include "device/dev.h"
#include "device/mode.h"
#include "device/opcodes.h"
#include "device/spc.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

/* The block descriptor may only restate the medium as it is. */
static bool block_descriptor_ok(const struct scsi_lu *lu, const uint8_t *bd, size_t len,
				bool long_lba)
{
	uint64_t nblocks = atomic_load(&lu->nblocks);

	if (len == 0)
		return true;
	if (long_lba) {
		return len == 16 && (get_be64(bd) == 0 || get_be64(bd) == nblocks) &&
		       get_be32(bd + 12) == lu->block_size;
	}
	return len == 8 && (get_be32(bd) == 0 || get_be32(bd) == (uint32_t)nblocks) &&
	       get_be24(bd + 5) == lu->block_size;
}

static void select_params(struct scsi_cmd *cmd, const uint8_t *p, uint32_t len, bool ten)
{
	struct scsi_lu *lu = cmd->lu;
	size_t hdr = ten ? 8 : 4, bdlen, bad;
	struct scsi_mode_params m;
	bool changed;

	if (len < hdr) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
		return;
	}
	bdlen = ten ? get_be16(p + 6) : p[3];
	if (bdlen > len - hdr ||
	    !block_descriptor_ok(lu, p + hdr, bdlen, ten && (p[4] & 0x01))) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_PARAM_LIST, false, ten ? 6 : 3, -1);
		return;
	}
	pthread_mutex_lock(&lu->lock);
	m = lu->mode;
	if (mode_select_apply(&m, p + hdr + bdlen, len - hdr - bdlen, &bad) < 0) {
		pthread_mutex_unlock(&lu->lock);
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_PARAM_LIST, false,
				     (uint16_t)(hdr + bdlen + bad), -1);
		return;
	}
	changed = memcmp(&m, &lu->mode, sizeof(m)) != 0;
	lu->mode = m;
	pthread_mutex_unlock(&lu->lock);
	if (changed)
		scsi_ua_add_all(lu, cmd->nexus, ASC_MODE_PARAMETERS_CHANGED);
	scsi_cmd_good(cmd);
}

void spc_mode_select(struct scsi_cmd *cmd, const struct spc_type *t)
{
	const uint8_t *c = cmd->cdb;
	bool ten = c[0] == OP_MODE_SELECT_10;
	uint32_t len = ten ? get_be16(c + 7) : c[4];
	uint8_t ctl = ten ? c[9] : c[5];

	(void)t;
	cmd->out_needed = len;
	if ((c[1] & 0xee) || (!ten && (c[2] || c[3])) || (ten && (c[2] || c[3] || c[4] || c[5] || c[6]))) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, (c[1] & 0xee) ? 1 : 2, -1);
		return;
	}
	if (ctl & 0x04) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, ten ? 9 : 5, 2);
		return;
	}
	/* SP: Luna keeps no saved pages.  PF 0 would be vendor pages. */
	if ((c[1] & 0x01) || (len > 0 && !(c[1] & 0x10))) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, (c[1] & 0x01) ? 0 : 4);
		return;
	}
	if (len == 0) {
		scsi_cmd_good(cmd);
		return;
	}
	if (cmd->out.len < len) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
		return;
	}
	select_params(cmd, cmd->out.data, len, ten);
}
