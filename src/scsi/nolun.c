/* Commands addressed to a LUN the nexus does not see (SPC-4, incorrect
 * logical unit selection): INQUIRY answers with
 * peripheral qualifier 3, REQUEST SENSE returns LUN NOT SUPPORTED as
 * parameter data, everything else fails with LUN NOT SUPPORTED. */
#include "scsi/nolun.h"

#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define OP_REQUEST_SENSE 0x03
#define OP_INQUIRY 0x12

static void nolun_inquiry(struct scsi_cmd *cmd)
{
	uint8_t data[36] = {0};
	uint16_t alloc;

	if (cmd->cdb_len < 6 || (cmd->cdb[1] & 0x01)) {
		/* VPD pages describe a logical unit; there is none here. */
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED);
		return;
	}
	alloc = get_be16(cmd->cdb + 3);
	data[0] = 0x7f; /* qualifier 3: no LU can be here; type 0x1f: unknown */
	data[2] = 0x06; /* SPC-4 */
	data[3] = 0x02; /* response data format */
	data[4] = sizeof(data) - 5;
	if (scsi_buf_alloc(&cmd->in, MIN(alloc, (uint32_t)sizeof(data))) < 0) {
		scsi_sense_set(cmd, SK_HARDWARE_ERROR, ASC_INTERNAL_TARGET_FAILURE);
		return;
	}
	memcpy(cmd->in.data, data, cmd->in.len);
	scsi_cmd_good(cmd);
}

static void nolun_request_sense(struct scsi_cmd *cmd)
{
	uint8_t sense[SCSI_SENSE_MAX];
	int n;

	if (cmd->cdb_len < 6) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED);
		return;
	}
	n = scsi_sense_build(sense, sizeof(sense), cmd->cdb[1] & 0x01, SK_ILLEGAL_REQUEST,
			     ASC_LUN_NOT_SUPPORTED, false, 0, NULL);
	if (scsi_buf_alloc(&cmd->in, MIN((uint32_t)cmd->cdb[4], (uint32_t)n)) < 0) {
		scsi_sense_set(cmd, SK_HARDWARE_ERROR, ASC_INTERNAL_TARGET_FAILURE);
		return;
	}
	memcpy(cmd->in.data, sense, cmd->in.len);
	scsi_cmd_good(cmd);
}

void scsi_nolun_exec(struct scsi_cmd *cmd)
{
	switch (cmd->cdb[0]) {
	case OP_INQUIRY:
		nolun_inquiry(cmd);
		break;
	case OP_REQUEST_SENSE:
		nolun_request_sense(cmd);
		break;
	default:
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED);
		break;
	}
}
