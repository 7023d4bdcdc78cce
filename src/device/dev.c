/* Helpers every device type uses to answer a command. */
#include "device/dev.h"

#include <string.h>

#include "common/util.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

void dev_cdb_error(struct scsi_cmd *cmd, const struct cdb_err *err)
{
	if (err->asc_ascq == ASC_INVALID_OPCODE)
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
	else
		scsi_sense_set_field(cmd, err->asc_ascq, true, err->byte, err->bit);
}

void dev_no_memory(struct scsi_cmd *cmd)
{
	/* Transient: the initiator retries BUSY. */
	cmd->status = SAM_STAT_BUSY;
	cmd->sense_len = 0;
}

void dev_reply(struct scsi_cmd *cmd, const void *data, size_t len, uint32_t alloc)
{
	uint32_t n = (uint32_t)MIN(len, (size_t)alloc);

	if (scsi_buf_alloc(&cmd->in, n) < 0) {
		dev_no_memory(cmd);
		return;
	}
	memcpy(cmd->in.data, data, n);
	scsi_cmd_good(cmd);
}

void dev_put_ascii(uint8_t *dst, size_t width, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	memset(dst, ' ', width);
	memcpy(dst, s, MIN(n, width));
}
