/* SANITIZE (SBC-4 5.24): OVERWRITE with a pattern, BLOCK ERASE
 * (deallocate on thin LUs, zero on thick ones: reads return zeroes
 * afterwards), CRYPTO ERASE
 * (Luna keeps no keys to change, so it makes the old data unreadable the
 * only way it can: deallocating or zeroing every block), EXIT FAILURE
 * MODE.  The whole
 * medium is held exclusively while it runs; other commands get NOT READY,
 * SANITIZE IN PROGRESS (sbc.c). */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "device/dev.h"
#include "device/opcodes.h"
#include "device/sbc.h"
#include "device/sbc_io.h"
#include "device/sbc_lu.h"
#include "device/spc.h"
#include "scsi/lu.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define SAN_CHUNK (1u << 20)
#define OVERWRITE_HDR 4

struct san_state {
	struct scsi_lu *lu;
	uint8_t *chunk; /* OVERWRITE: the pattern, repeated */
	uint64_t off, end;
};

static void san_set_running(struct scsi_lu *lu, bool running)
{
	pthread_mutex_lock(&lu->lock);
	sbc_lu(lu)->sanitize = running ? SANITIZE_RUNNING : SANITIZE_IDLE;
	pthread_mutex_unlock(&lu->lock);
}

/* The sanitize ends with its command, however that ends. */
static void san_state_free(void *p)
{
	struct san_state *st = p;

	san_set_running(st->lu, false);
	free(st->chunk);
	free(st);
}

/* Check the CDB; returns the service action or -1 with sense set. */
static int sanitize_cdb(struct scsi_cmd *cmd, uint16_t *plen)
{
	const uint8_t *c = cmd->cdb;
	uint8_t sa = c[1] & 0x1f;

	*plen = get_be16(c + 7);
	/* A write-protected medium cannot be sanitized, whatever is asked. */
	if (sbc_write_protected(cmd))
		return -1;
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
static int overwrite_params(struct scsi_cmd *cmd, uint16_t plen, const uint8_t **pat,
			    uint16_t *patlen)
{
	const uint8_t *p = cmd->out.data;

	if (cmd->out.len < plen) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
		return -1;
	}
	*patlen = get_be16(p + 2);
	if ((p[0] & 0x1f) == 0 || (p[0] & 0x60)) { /* OVERWRITE COUNT 0; TEST */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_PARAM_LIST, false, 0, -1);
		return -1;
	}
	if (*patlen == 0 || *patlen > cmd->lu->block_size || *patlen + OVERWRITE_HDR > plen) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_PARAM_LIST, false, 2, -1);
		return -1;
	}
	*pat = p + OVERWRITE_HDR;
	return 0;
}

static void san_done(struct scsi_cmd *cmd)
{
	scsi_cmd_good(cmd);
	sbc_finish(cmd);
}

static void san_step(struct scsi_cmd *cmd)
{
	struct san_state *st = sbc_range_of(cmd)->ctx;
	uint64_t len = MIN((uint64_t)SAN_CHUNK, st->end - st->off);
	uint64_t off = st->off;

	st->off += len;
	sbc_io_then(cmd, BS_WRITE, off, st->chunk, len, 0, st->off < st->end ? san_step : san_done);
}

static void san_block_erase(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;

	sbc_range_of(cmd)->ctx_free = san_state_free;
	sbc_io_then(cmd, lu->lbpme ? BS_DISCARD : BS_WRITE_ZEROES, 0, NULL, atomic_load(&lu->nblocks) * lu->block_size, 0,
		    san_done);
}

static struct san_state *san_overwrite_state(struct scsi_lu *lu, const uint8_t *pat,
					     uint16_t patlen)
{
	struct san_state *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->lu = lu;
	if (pat == NULL)
		return st;
	st->chunk = malloc(SAN_CHUNK);
	if (st->chunk == NULL) {
		free(st);
		return NULL;
	}
	for (size_t i = 0; i < SAN_CHUNK; i++)
		st->chunk[i] = pat[i % patlen];
	st->end = atomic_load(&lu->nblocks) * lu->block_size;
	return st;
}

static void san_overwrite(struct scsi_cmd *cmd)
{
	sbc_range_of(cmd)->ctx_free = san_state_free;
	san_step(cmd);
}

void sbc_sanitize(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;
	struct san_state *st;
	const uint8_t *pat;
	uint16_t plen, patlen;
	int sa = sanitize_cdb(cmd, &plen);

	cmd->out_needed = plen;
	if (sa < 0 || !spc_check_ready(cmd)) {
		sbc_finish(cmd);
		return;
	}
	if (sa == SANITIZE_EXIT_FAILURE_MODE) {
		/* Luna's sanitize never fails, so there is no failure mode to
		 * leave. */
		scsi_cmd_good(cmd);
		sbc_finish(cmd);
		return;
	}
	pat = NULL;
	patlen = 0;
	if (sa == SANITIZE_OVERWRITE && overwrite_params(cmd, plen, &pat, &patlen) < 0) {
		sbc_finish(cmd);
		return;
	}
	st = san_overwrite_state(lu, pat, patlen);
	if (st == NULL) {
		dev_no_memory(cmd);
		sbc_finish(cmd);
		return;
	}
	san_set_running(lu, true);
	sbc_range_run_ctx(cmd, 0, UINT64_MAX, true,
			  sa == SANITIZE_OVERWRITE ? san_overwrite : san_block_erase, st);
}
