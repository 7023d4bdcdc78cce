/* WRITE SAME (10) and (16) (SBC-4 5.48, 5.49), with UNMAP, ANCHOR and
 * NDOB.  Large ranges are written in chunks of a buffer filled with the
 * pattern, one backstore operation at a time. */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "device/cdb.h"
#include "device/dev.h"
#include "device/opcodes.h"
#include "device/sbc.h"
#include "device/sbc_io.h"
#include "device/sbc_lu.h"
#include "device/spc.h"
#include "scsi/lu.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define WS_CHUNK (1u << 20)

static int ws_invalid(struct cdb_err *err, uint16_t byte, int bit)
{
	err->asc_ascq = ASC_INVALID_FIELD_IN_CDB;
	err->byte = byte;
	err->bit = (int8_t)bit;
	return -1;
}

int cdb_parse_write_same(const uint8_t *cdb, unsigned len, struct cdb_write_same *ws,
			 struct cdb_err *err)
{
	if (cdb_check_common(cdb, len, err) < 0)
		return -1;
	*ws = (struct cdb_write_same){0};
	ws->protect = cdb[1] >> 5;
	ws->anchor = cdb[1] & 0x10;
	ws->unmap = cdb[1] & 0x08;
	if (cdb[0] == OP_WRITE_SAME_10) {
		if (cdb[1] & 0x07) /* reserved (bit 0 obsolete) */
			return ws_invalid(err, 1, (cdb[1] & 0x04) ? 2 : (cdb[1] & 0x02) ? 1 : 0);
		ws->lba = get_be32(cdb + 2);
		ws->nblocks = get_be16(cdb + 7);
	} else if (cdb[0] == OP_WRITE_SAME_16) {
		if (cdb[1] & 0x06)
			return ws_invalid(err, 1, (cdb[1] & 0x04) ? 2 : 1);
		ws->ndob = cdb[1] & 0x01;
		ws->lba = get_be64(cdb + 2);
		ws->nblocks = get_be32(cdb + 10);
	} else {
		err->asc_ascq = ASC_INVALID_OPCODE;
		return -1;
	}
	if (ws->protect)
		return ws_invalid(err, 1, 7);
	/* ANCHOR asks for anchored blocks: only with UNMAP (SBC-4 5.49), and
	 * Luna does not anchor (ANC_SUP 0). */
	if (ws->anchor)
		return ws_invalid(err, 1, 4);
	/* Zero blocks (WSNZ 0) means up to the last LBA: checked against the
	 * capacity and the maximum once the LU is known. */
	if (ws->nblocks > SBC_MAX_WRITE_SAME_BLOCKS)
		return ws_invalid(err, cdb[0] == OP_WRITE_SAME_10 ? 7 : 10, -1);
	return 0;
}

struct ws_state {
	uint8_t *chunk; /* the pattern, repeated */
	uint64_t off, end;
};

static void ws_state_free(void *p)
{
	struct ws_state *st = p;

	free(st->chunk);
	free(st);
}

static void ws_step(struct scsi_cmd *cmd)
{
	struct ws_state *st = sbc_range_of(cmd)->ctx;
	uint64_t len = MIN((uint64_t)WS_CHUNK, st->end - st->off);
	uint64_t off = st->off;

	st->off += len;
	sbc_io_then(cmd, BS_WRITE, off, st->chunk, len, 0, st->off < st->end ? ws_step : NULL);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void ws_start(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;
	struct sbc_range *r = sbc_range_of(cmd);
	uint32_t bs = lu->block_size;
	uint64_t off = cmd->lba * bs, len = (uint64_t)cmd->nblocks * bs;
	bool ndob = cmd->cdb[0] == OP_WRITE_SAME_16 && (cmd->cdb[1] & 0x01);
	bool unmap = (cmd->cdb[1] & 0x08) && lu->lbpme;
	struct ws_state *st;

	/* With the UNMAP bit the blocks are deallocated whatever the pattern
	 * (LBPRZ: they read back as zeroes), as Linux's and ESXi's space
	 * reclamation expect; a zero pattern without it keeps them allocated. */
	if (unmap || ndob || all_zero(cmd->out.data, bs)) {
		sbc_io_submit(cmd, unmap ? BS_DISCARD : BS_WRITE_ZEROES, off, NULL, len, 0);
		return;
	}
	st = calloc(1, sizeof(*st));
	if (st)
		st->chunk = malloc(MIN((uint64_t)WS_CHUNK, len));
	if (st == NULL || st->chunk == NULL) {
		free(st);
		dev_no_memory(cmd);
		sbc_finish(cmd);
		return;
	}
	for (uint64_t i = 0; i < MIN((uint64_t)WS_CHUNK, len); i += bs)
		memcpy(st->chunk + i, cmd->out.data, bs);
	st->off = off;
	st->end = off + len;
	r->ctx = st;
	r->ctx_free = ws_state_free;
	ws_step(cmd);
}

void sbc_write_same(struct scsi_cmd *cmd)
{
	struct cdb_write_same ws;
	struct cdb_err err;
	uint32_t bs = cmd->lu->block_size;

	if (cdb_parse_write_same(cmd->cdb, cmd->cdb_len, &ws, &err) < 0) {
		dev_cdb_error(cmd, &err);
		sbc_finish(cmd);
		return;
	}
	if (!spc_check_ready(cmd) || sbc_write_protected(cmd) ||
	    !cdb_range_ok(ws.lba, ws.nblocks, atomic_load(&cmd->lu->nblocks))) {
		if (cmd->status == SAM_STAT_GOOD)
			scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		sbc_finish(cmd);
		return;
	}
	if (ws.nblocks == 0) {
		uint64_t to_end = atomic_load(&cmd->lu->nblocks) - ws.lba;
		if (to_end > SBC_MAX_WRITE_SAME_BLOCKS) {
			scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true,
					     cmd->cdb[0] == OP_WRITE_SAME_10 ? 7 : 10, -1);
			sbc_finish(cmd);
			return;
		}
		ws.nblocks = (uint32_t)to_end;
	}
	cmd->out_needed = ws.ndob ? 0 : bs;
	/* UNMAP asks for deallocation, which only a thin LU offers (LBPWS,
	 * LBPWS10): a fully provisioned one refuses it. */
	if (ws.unmap && !cmd->lu->lbpme) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 3);
		sbc_finish(cmd);
		return;
	}
	/* One block of data, exactly (unless NDOB): any other length is not
	 * a pattern the command can mean. */
	if (!ws.ndob && (cmd->xfer_len != bs || cmd->out.len != bs)) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true,
				     cmd->cdb[0] == OP_WRITE_SAME_10 ? 7 : 10, -1);
		sbc_finish(cmd);
		return;
	}
	cmd->lba = ws.lba;
	cmd->nblocks = ws.nblocks;
	sbc_range_run(cmd, ws.lba, ws.nblocks, RANGE_SHARED, ws_start);
}
