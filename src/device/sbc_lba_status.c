/* GET LBA STATUS (SBC-4 5.7): mapped and deallocated runs from the LBA
 * asked for, as far as the allocation length has room. */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "device/dev.h"
#include "device/sbc.h"
#include "device/spc.h"
#include "scsi/lu.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define LBAS_HDR 8
#define LBAS_DESC 16
#define LBAS_MAX_DESC 512
#define PROV_MAPPED 0x0
#define PROV_DEALLOCATED 0x1
#define PROV_ANCHORED 0x2

/* Fill up to max descriptors from lba; returns how many. */
static unsigned lba_status_build(struct backstore *bs, uint32_t block_size, uint64_t capacity,
			  uint64_t lba, unsigned max, uint8_t unmapped, uint8_t *desc)
{
	unsigned n = 0;

	while (lba < capacity && n < max) {
		uint64_t left = capacity - lba, blocks;
		uint64_t run = 0;
		bool mapped = true;
		uint8_t *d = desc + (size_t)n * LBAS_DESC;

		if (backstore_lba_status(bs, lba * block_size, left * block_size, &mapped, &run) <
			    0 ||
		    run < block_size)
			run = left * block_size, mapped = true;
		/* The descriptor's count has 32 bits. */
		blocks = MIN(run / block_size, (uint64_t)UINT32_MAX);
		memset(d, 0, LBAS_DESC);
		put_be64(d, lba);
		put_be32(d + 8, (uint32_t)blocks);
		d[12] = mapped ? PROV_MAPPED : unmapped;
		/* Runs of the same kind next to each other are one run. */
		if (n > 0 && desc[(n - 1) * LBAS_DESC + 12] == d[12] &&
		    (uint64_t)get_be32(desc + (n - 1) * LBAS_DESC + 8) + blocks <= UINT32_MAX) {
			uint8_t *prev = desc + (size_t)(n - 1) * LBAS_DESC;

			put_be32(prev + 8, get_be32(prev + 8) + (uint32_t)blocks);
		} else {
			n++;
		}
		lba += blocks;
	}
	return n;
}

void sbc_get_lba_status(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;
	uint64_t lba = get_be64(cmd->cdb + 2), capacity = atomic_load(&lu->nblocks);
	uint32_t alloc = get_be32(cmd->cdb + 10);
	unsigned max, n;
	uint8_t *buf;

	if (cmd->cdb[15] & 0x04) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 15, 2);
		return;
	}
	if (!spc_check_ready(cmd))
		return;
	if (lba >= capacity) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return;
	}
	/* At least one descriptor is built: the parameter data length then
	 * tells an initiator with a short allocation length what it missed. */
	max = alloc > LBAS_HDR ? MIN((alloc - LBAS_HDR) / LBAS_DESC, LBAS_MAX_DESC) : 0;
	if (max == 0)
		max = 1;
	buf = calloc(1, LBAS_HDR + (size_t)max * LBAS_DESC);
	if (buf == NULL) {
		dev_no_memory(cmd);
		return;
	}
	/* A resource provisioned LU keeps the space of unmapped blocks. */
	n = lba_status_build(lu->bs, lu->block_size, capacity, lba, max,
			     lu->thin ? PROV_DEALLOCATED : PROV_ANCHORED, buf + LBAS_HDR);
	put_be32(buf, (uint32_t)(4 + n * LBAS_DESC));
	dev_reply(cmd, buf, LBAS_HDR + (size_t)n * LBAS_DESC, alloc);
	free(buf);
}
