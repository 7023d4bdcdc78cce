/* READ and WRITE (6, 10, 12, 16) and WRITE ATOMIC (16). */
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

bool sbc_rw_check(struct scsi_cmd *cmd, struct cdb_rw *rw, bool is_write)
{
	struct cdb_err err;

	if (cdb_parse_rw(cmd->cdb, cmd->cdb_len, rw, &err) < 0) {
		dev_cdb_error(cmd, &err);
		return false;
	}
	/* No protection information: RDPROTECT/WRPROTECT must be 0. */
	if (rw->protect) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 7);
		return false;
	}
	if (!spc_check_ready(cmd))
		return false;
	if (is_write && sbc_write_protected(cmd))
		return false;
	return sbc_range_check(cmd, rw->lba, rw->nblocks, cmd->cdb_len >= 16 ? 10 : 7);
}

bool sbc_range_check(struct scsi_cmd *cmd, uint64_t lba, uint64_t nblocks, uint16_t len_byte)
{
	struct scsi_lu *lu = cmd->lu;

	if (!cdb_range_ok(lba, nblocks, atomic_load(&lu->nblocks))) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	if (nblocks * lu->block_size > DEV_MAX_XFER_BYTES) {
		/* SBC-4: more than the Block Limits page's maximum. */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, len_byte, -1);
		return false;
	}
	cmd->lba = lba;
	cmd->nblocks = (uint32_t)nblocks;
	return true;
}

/* in_crc of a read sent from a memory store that keeps checksums. */
static uint32_t store_in_crc(struct scsi_cmd *cmd, uint32_t off, uint32_t len, uint32_t crc)
{
	struct scsi_lu *lu = cmd->lu;

	return lu->bs->ops->crc(lu->bs, cmd->lba * lu->block_size + off, len, crc);
}

/* The data-in is the store's own memory: nothing to copy.  The range stays
 * held until the data is sent, so an atomic command (COMPARE AND WRITE,
 * WRITE ATOMIC) cannot tear it, nor, under a data digest, a plain write
 * (see read_mode). */
static void read_from_memory(struct scsi_cmd *cmd, uint8_t *p, uint64_t len)
{
	cmd->in.data = p;
	cmd->in.len = cmd->in.cap = (uint32_t)len;
	cmd->in.owned = false;
	if (cmd->lu->bs->ops->crc)
		cmd->in_crc = store_in_crc;
	sbc_range_of(cmd)->hold_until_release = true;
	scsi_cmd_good(cmd);
	sbc_finish(cmd);
}

static void read_start(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;
	uint64_t off = cmd->lba * lu->block_size;
	uint64_t len = (uint64_t)cmd->nblocks * lu->block_size;

	if (lu->bs->ops->map) {
		/* Memory store: send straight from it, no copy. */
		uint8_t *p = lu->bs->ops->map(lu->bs, off, len);
		if (p) {
			read_from_memory(cmd, p, len);
			return;
		}
	}
	if (cmd->in_sent_unread) {
		/* A file in memory, allocated all along the range: the
		 * transport sends from the file's mapping, sparing a copy
		 * through a buffer.  The range stays held, as above. */
		const uint8_t *p = backstore_map_for_send(lu->bs, off, len);
		if (p) {
			read_from_memory(cmd, (uint8_t *)p, len);
			return;
		}
	}
	if (scsi_buf_alloc_raw(&cmd->in, (uint32_t)len) < 0) {
		dev_no_memory(cmd);
		sbc_finish(cmd);
		return;
	}
	sbc_io_submit(cmd, BS_READ, off, cmd->in.data, len, 0);
}

/* A memory store's reads are sent from its memory (read_start).  When the
 * transport checksums the data-in (a data digest), the bytes must not
 * change between the checksum and the socket's copy, or the digest would
 * not match what is sent: the blocks are then held stable, and writes to
 * them wait.  Otherwise overlapping writes may tear a read, as SAM allows. */
static enum range_mode read_mode(const struct scsi_cmd *cmd)
{
	return cmd->lu->bs->ops->map && !cmd->in_sent_unread ? RANGE_STABLE : RANGE_READ;
}

void sbc_read(struct scsi_cmd *cmd)
{
	struct cdb_rw rw;

	if (!sbc_rw_check(cmd, &rw, false) || rw.nblocks == 0) {
		sbc_finish(cmd);
		return;
	}
	sbc_range_run(cmd, rw.lba, rw.nblocks, read_mode(cmd), read_start);
}

/* The whole blocks of data-out that arrived, at most what the CDB names:
 * with a too small expected length the transport reports the overflow,
 * and bytes beyond the CDB's length are never written. */
uint32_t sbc_blocks_arrived(const struct scsi_cmd *cmd, uint32_t nblocks)
{
	return MIN(nblocks, cmd->out.len / cmd->lu->block_size);
}

bool sbc_fua(const struct scsi_cmd *cmd, bool fua)
{
	return fua || !cmd->lu->mode.wce;
}

static void write_blocks(struct scsi_cmd *cmd, unsigned flags)
{
	struct scsi_lu *lu = cmd->lu;
	uint32_t have = sbc_blocks_arrived(cmd, cmd->nblocks);

	if (have == 0) {
		scsi_cmd_good(cmd);
		sbc_finish(cmd);
		return;
	}
	sbc_io_submit(cmd, BS_WRITE, cmd->lba * lu->block_size, cmd->out.data,
		      (uint64_t)have * lu->block_size, flags);
}

static void write_start(struct scsi_cmd *cmd)
{
	write_blocks(cmd, 0);
}

static void write_start_fua(struct scsi_cmd *cmd)
{
	write_blocks(cmd, BS_IO_FUA);
}

/* Write cmd->nblocks of data-out at cmd->lba, holding the range shared
 * (plain writes) or exclusive (atomic writes). */
static void write_go(struct scsi_cmd *cmd, bool fua, bool exclusive)
{
	cmd->out_needed = cmd->nblocks * cmd->lu->block_size;
	if (cmd->nblocks == 0) {
		scsi_cmd_good(cmd);
		sbc_finish(cmd);
		return;
	}
	sbc_range_run(cmd, cmd->lba, cmd->nblocks, exclusive ? RANGE_EXCLUSIVE : RANGE_SHARED,
		      sbc_fua(cmd, fua) ? write_start_fua : write_start);
}

void sbc_write(struct scsi_cmd *cmd)
{
	struct cdb_rw rw;

	if (!sbc_rw_check(cmd, &rw, true)) {
		sbc_finish(cmd);
		return;
	}
	write_go(cmd, rw.fua, false);
}

int cdb_parse_write_atomic(const uint8_t *cdb, unsigned len, struct cdb_rw *rw, struct cdb_err *err)
{
	if (cdb_check_common(cdb, len, err) < 0)
		return -1;
	if (cdb[0] != OP_WRITE_ATOMIC_16) {
		err->asc_ascq = ASC_INVALID_OPCODE;
		return -1;
	}
	return cdb_parse_rw(cdb, len, rw, err);
}

/* WRITE ATOMIC (16): all of it or none of it, and nobody sees half of it:
 * the range is held exclusively and written in one backstore operation. */
void sbc_write_atomic(struct scsi_cmd *cmd)
{
	struct cdb_rw rw;
	struct cdb_err err;

	if (cdb_parse_write_atomic(cmd->cdb, cmd->cdb_len, &rw, &err) < 0) {
		dev_cdb_error(cmd, &err);
		sbc_finish(cmd);
		return;
	}
	if (rw.protect) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 7);
	} else if (spc_check_ready(cmd) && !sbc_write_protected(cmd) &&
		   sbc_range_check(cmd, rw.lba, rw.nblocks, 12)) {
		if (rw.nblocks > SBC_MAX_ATOMIC_BLOCKS(cmd->lu))
			scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 12, -1);
		else {
			write_go(cmd, rw.fua, true);
			return;
		}
	}
	sbc_finish(cmd);
}
