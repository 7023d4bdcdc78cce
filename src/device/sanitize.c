/* SANITIZE (SBC-4 5.30): the CDB and parameter list.  OVERWRITE writes a
 * pattern over the whole medium (OVERWRITE COUNT passes, INVERT between
 * them); BLOCK ERASE deallocates every block where the LU can (thin or
 * anchored) and zeroes it otherwise, so reads return zeroes afterwards;
 * CRYPTO ERASE does the same (Luna keeps no keys to change, so it makes the
 * old data unreadable the only way it can); EXIT FAILURE MODE leaves the
 * state a failed sanitize left.  The sanitize itself runs in the background
 * of the LU (sanitize_job.c). */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "device/dev.h"
#include "device/opcodes.h"
#include "device/sanitize_job.h"
#include "device/sbc.h"
#include "device/sbc_io.h"
#include "device/sbc_lu.h"
#include "device/spc.h"
#include "scsi/lu.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define OVERWRITE_HDR 4

/* Check the CDB; returns the service action or -1 with sense set. */
static int sanitize_cdb(struct scsi_cmd *cmd, uint16_t *plen)
{
	const uint8_t *c = cmd->cdb;
	uint8_t sa = c[1] & 0x1f;

	*plen = get_be16(c + 7);
	/* A write-protected medium cannot be sanitized, whatever is asked. */
	if (sbc_write_protected(cmd))
		return -1;
	/* Byte 1: IMMED (7), reserved (6), AUSE (5, accepted: a failed
	 * sanitize may always be left with EXIT FAILURE MODE). */
	if (c[1] & 0x40 || c[2] || c[3] || c[4] || c[5] || c[6]) { /* reserved */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, (c[1] & 0x40) ? 1 : 2,
				     -1);
		return -1;
	}
	if (c[9] & 0x04) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 9, 2);
		return -1;
	}
	switch (sa) {
	case SANITIZE_OVERWRITE:
		/* A header and a pattern of 1 .. block size bytes. */
		if (*plen <= OVERWRITE_HDR || *plen > cmd->lu->block_size + OVERWRITE_HDR)
			break;
		return sa;
	case SANITIZE_BLOCK_ERASE:
	case SANITIZE_CRYPTO_ERASE:
		/* no parameter list, as EXIT FAILURE MODE */
		__attribute__((fallthrough));
	case SANITIZE_EXIT_FAILURE_MODE:
		if (*plen != 0)
			break;
		return sa;
	default: /* the reserved ones */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 4);
		return -1;
	}
	scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 7, -1);
	return -1;
}

/* The OVERWRITE parameter list: INVERT, TEST, OVERWRITE COUNT, then the
 * INITIALIZATION PATTERN LENGTH and pattern (SBC-4 5.24.3). */
static int overwrite_params(struct scsi_cmd *cmd, uint16_t plen, struct sanitize_params *sp)
{
	const uint8_t *p = cmd->out.data;
	uint16_t patlen;

	if (cmd->out.len < plen) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
		return -1;
	}
	patlen = get_be16(p + 2);
	if ((p[0] & 0x1f) == 0 || (p[0] & 0x60)) { /* OVERWRITE COUNT 0; TEST */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_PARAM_LIST, false, 0, -1);
		return -1;
	}
	if (p[1]) { /* reserved */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_PARAM_LIST, false, 1, -1);
		return -1;
	}
	if (patlen == 0 || patlen > cmd->lu->block_size || patlen + OVERWRITE_HDR > plen) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_PARAM_LIST, false, 2, -1);
		return -1;
	}
	sp->op = BS_WRITE;
	sp->invert = p[0] & 0x80;
	sp->passes = p[0] & 0x1f;
	sp->pattern = p + OVERWRITE_HDR;
	sp->patlen = patlen;
	return 0;
}

/* EXIT FAILURE MODE: the medium is usable again, whether or not a sanitize
 * had failed. */
static void exit_failure_mode(struct scsi_cmd *cmd)
{
	int failed = SANITIZE_FAILED;

	atomic_compare_exchange_strong(&sbc_lu(cmd->lu)->sanitize, &failed, SANITIZE_IDLE);
	scsi_cmd_good(cmd);
}

void sbc_sanitize(struct scsi_cmd *cmd)
{
	struct sanitize_params sp = {0};
	uint16_t plen;
	int sa = sanitize_cdb(cmd, &plen);

	cmd->out_needed = plen;
	if (sa < 0 || !spc_check_ready(cmd)) {
		sbc_finish(cmd);
		return;
	}
	if (sa == SANITIZE_EXIT_FAILURE_MODE) {
		exit_failure_mode(cmd);
		sbc_finish(cmd);
		return;
	}
	if (sa == SANITIZE_OVERWRITE) {
		if (overwrite_params(cmd, plen, &sp) < 0) {
			sbc_finish(cmd);
			return;
		}
	} else {
		sp.op = cmd->lu->lbpme ? BS_DISCARD : BS_WRITE_ZEROES;
		sp.passes = 1;
	}
	sp.immed = cmd->cdb[1] & 0x80;
	sanitize_job_start(cmd, &sp);
}
