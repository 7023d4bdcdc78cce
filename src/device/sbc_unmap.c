/* UNMAP (SBC-4 5.32): deallocate the ranges of the parameter list, one
 * backstore DISCARD at a time, after the whole list has been checked. */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "device/dev.h"
#include "device/opcodes.h"
#include "device/sbc.h"
#include "device/sbc_io.h"
#include "device/sbc_lu.h"
#include "device/sbc_unmap.h"
#include "device/spc.h"
#include "scsi/lu.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define UNMAP_HDR 8
#define UNMAP_DESC 16

static int param_invalid(struct unmap_list *ul, uint16_t asc, uint16_t byte)
{
	ul->asc_ascq = asc;
	ul->byte = byte;
	return -1;
}

int unmap_parse(const uint8_t *p, uint32_t len, uint64_t capacity, struct unmap_list *ul)
{
	uint32_t bd_len, n;
	uint64_t total = 0;

	memset(ul, 0, sizeof(*ul));
	if (len == 0)
		return 0;
	if (len < UNMAP_HDR)
		return param_invalid(ul, ASC_PARAM_LIST_LENGTH_ERROR, 0);
	bd_len = get_be16(p + 2);
	/* The data lengths must agree with each other and with what came. */
	if (get_be16(p) < 6 || (uint32_t)get_be16(p) + 2 > len)
		return param_invalid(ul, ASC_INVALID_FIELD_IN_PARAM_LIST, 0);
	if (bd_len > len - UNMAP_HDR)
		return param_invalid(ul, ASC_INVALID_FIELD_IN_PARAM_LIST, 2);
	n = bd_len / UNMAP_DESC; /* a trailing partial descriptor is ignored */
	if (n > SBC_MAX_UNMAP_DESCRIPTORS)
		return param_invalid(ul, ASC_INVALID_FIELD_IN_PARAM_LIST, 2);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *d = p + UNMAP_HDR + i * UNMAP_DESC;
		uint64_t lba = get_be64(d);
		uint32_t count = get_be32(d + 8);

		if (!cdb_range_ok(lba, count, capacity))
			return param_invalid(ul, ASC_LBA_OUT_OF_RANGE, 0);
		total += count;
		if (count > SBC_MAX_UNMAP_BLOCKS || total > SBC_MAX_UNMAP_BLOCKS)
			return param_invalid(ul, ASC_INVALID_FIELD_IN_PARAM_LIST,
					     (uint16_t)(UNMAP_HDR + i * UNMAP_DESC + 8));
	}
	ul->p = p + UNMAP_HDR;
	ul->n = n;
	return 0;
}

/* Discard descriptor `next` and go on with the following one. */
static void unmap_step(struct scsi_cmd *cmd)
{
	struct unmap_list *ul = sbc_range_of(cmd)->ctx;
	uint32_t bs = cmd->lu->block_size;

	while (ul->next < ul->n) {
		const uint8_t *d = ul->p + ul->next * UNMAP_DESC;
		uint64_t lba = get_be64(d);
		uint32_t count = get_be32(d + 8);

		ul->next++;
		if (count == 0)
			continue;
		sbc_io_then(cmd, BS_DISCARD, lba * bs, NULL, (uint64_t)count * bs, 0,
			    ul->next < ul->n ? unmap_step : NULL);
		return;
	}
	scsi_cmd_good(cmd);
	sbc_finish(cmd);
}

static bool unmap_cdb_ok(struct scsi_cmd *cmd)
{
	const uint8_t *cdb = cmd->cdb;

	if (cdb[1] & 0x01) { /* ANCHOR: ANC_SUP is 0 */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 0);
		return false;
	}
	if (cdb[1] & 0xfe || cdb[2] || cdb[3] || cdb[4] || cdb[5]) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, (cdb[1] & 0xfe) ? 1 : 2,
				     -1);
		return false;
	}
	if (cdb[9] & 0x04) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 9, 2);
		return false;
	}
	return true;
}

void sbc_unmap(struct scsi_cmd *cmd)
{
	struct unmap_list *ul;
	uint32_t len = get_be16(cmd->cdb + 7);

	cmd->out_needed = len;
	if (!unmap_cdb_ok(cmd) || !spc_check_ready(cmd) || sbc_write_protected(cmd)) {
		sbc_finish(cmd);
		return;
	}
	/* Only thin LUs deallocate (LBPU); a fully provisioned one refuses
	 * the request rather than pretend. */
	if (!cmd->lu->lbpme) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 0, -1);
		sbc_finish(cmd);
		return;
	}
	ul = calloc(1, sizeof(*ul));
	if (ul == NULL) {
		dev_no_memory(cmd);
		sbc_finish(cmd);
		return;
	}
	if (unmap_parse(cmd->out.data, cmd->out.len < len ? cmd->out.len : len,
			atomic_load(&cmd->lu->nblocks), ul) < 0) {
		if (ul->asc_ascq == ASC_LBA_OUT_OF_RANGE)
			scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ul->asc_ascq);
		else
			scsi_sense_set_field(cmd, ul->asc_ascq, false, ul->byte, -1);
		free(ul);
		sbc_finish(cmd);
		return;
	}
	/* Deallocation must not slip into the middle of an atomic command:
	 * hold the whole medium, shared. */
	sbc_range_run_ctx(cmd, 0, atomic_load(&cmd->lu->nblocks), RANGE_SHARED, unmap_step, ul);
}
