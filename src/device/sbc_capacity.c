/* READ CAPACITY (10) and (16). */
#include <string.h>

#include "common/bytes.h"
#include "device/cdb.h"
#include "device/dev.h"
#include "device/sbc.h"
#include "device/spc.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

void sbc_read_capacity_10(struct scsi_cmd *cmd)
{
	struct cdb_capacity c;
	struct cdb_err err;
	uint8_t buf[8];
	uint64_t last;

	if (cdb_parse_read_capacity(cmd->cdb, cmd->cdb_len, &c, &err) < 0) {
		dev_cdb_error(cmd, &err);
		return;
	}
	if (!spc_check_ready(cmd))
		return;
	last = atomic_load(&cmd->lu->nblocks) - 1;
	/* Too large for 32 bits: the initiator must use READ CAPACITY (16). */
	put_be32(buf, last > 0xfffffffeull ? 0xffffffffu : (uint32_t)last);
	put_be32(buf + 4, cmd->lu->block_size);
	dev_reply(cmd, buf, sizeof(buf), sizeof(buf));
}

size_t sbc_read_capacity_16_build(const struct scsi_lu *lu, uint8_t buf[32])
{
	memset(buf, 0, 32);
	put_be64(buf, atomic_load(&lu->nblocks) - 1);
	put_be32(buf + 8, lu->block_size);
	buf[13] = (uint8_t)sbc_lbppb_exponent(lu);
	if (lu->lbpme)
		buf[14] = 0x80 | 0x40; /* LBPME, LBPRZ: unmapped blocks read zero */
	return 32;
}

void sbc_read_capacity_16(struct scsi_cmd *cmd)
{
	struct cdb_capacity c;
	struct cdb_err err;
	uint8_t buf[32];

	if (cdb_parse_read_capacity(cmd->cdb, cmd->cdb_len, &c, &err) < 0) {
		dev_cdb_error(cmd, &err);
		return;
	}
	if (!spc_check_ready(cmd))
		return;
	dev_reply(cmd, buf, sbc_read_capacity_16_build(cmd->lu, buf), c.alloc);
}
