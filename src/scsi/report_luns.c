/* REPORT LUNS. */
#include "scsi/report_luns.h"

#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "scsi/lun.h"
#include "scsi/nexus.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

long scsi_report_luns_build(const struct scsi_lun_map *map, uint8_t select, uint8_t *buf,
			    size_t buflen)
{
	uint8_t entry[8];
	size_t n = 0, off = 8;

	switch (select) {
	case 0x00: /* all LUs but well-known ones: Luna has none of those */
	case 0x02: /* all LUs */
		break;
	case 0x01: /* well-known LUs only */
		map = NULL;
		break;
	default:
		return -1;
	}
	for (unsigned i = 0; map && i < map->count; i++) {
		if (map->entries[i].lu == NULL)
			continue;
		scsi_lun_encode(map->entries[i].lun, entry);
		if (off + 8 <= buflen)
			memcpy(buf + off, entry, 8);
		off += 8;
		n++;
	}
	if (buflen >= 8) {
		memset(buf, 0, 8);
		put_be32(buf, (uint32_t)(n * 8));
	} else if (buflen > 0) {
		uint8_t hdr[8] = {0};

		put_be32(hdr, (uint32_t)(n * 8));
		memcpy(buf, hdr, buflen);
	}
	return (long)off;
}

void scsi_report_luns(struct scsi_cmd *cmd)
{
	uint32_t alloc;
	long full;

	if (cmd->cdb_len < 12) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
		return;
	}
	if (cmd->cdb[11] & 0x04) { /* NACA: ACA is not supported */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 11, 2);
		return;
	}
	alloc = get_be32(cmd->cdb + 6);
	full = scsi_report_luns_build(cmd->map, cmd->cdb[2], NULL, 0);
	if (full < 0) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 2, -1);
		return;
	}
	if (scsi_buf_alloc(&cmd->in, MIN(alloc, (uint32_t)full)) < 0) {
		scsi_sense_set(cmd, SK_HARDWARE_ERROR, ASC_INTERNAL_TARGET_FAILURE);
		return;
	}
	scsi_report_luns_build(cmd->map, cmd->cdb[2], cmd->in.data, cmd->in.len);
	/* The initiator has now seen the new inventory (SPC-4 6.33). */
	scsi_ua_clear_code(cmd->nexus, ASC_REPORTED_LUNS_CHANGED);
	scsi_cmd_good(cmd);
}
