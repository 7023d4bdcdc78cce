/* REPORT TARGET PORT GROUPS (SPC-4 6.37): implicit ALUA with one target
 * port group per TPG, always active/optimized.  Luna reports the group of
 * the port the command came through, as VPD page 0x83 does. */
#include <string.h>

#include "common/bytes.h"
#include "device/dev.h"
#include "device/spc.h"
#include "scsi/nexus.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define AAS_ACTIVE_OPTIMIZED 0x0
#define SUP_AO 0x01

size_t rtpg_build(uint16_t tpg, uint16_t rel_port, bool extended, uint8_t *buf)
{
	size_t hdr = extended ? 8 : 4, n = hdr + 8 + 4;

	memset(buf, 0, n);
	put_be32(buf, (uint32_t)(n - 4));
	if (extended) {
		buf[4] = 0x10; /* format type 001b */
		buf[5] = 0;    /* implicit transition time: immediate */
	}
	buf[hdr] = 0x80 | AAS_ACTIVE_OPTIMIZED; /* PREF: the preferred path */
	buf[hdr + 1] = SUP_AO;
	put_be16(buf + hdr + 2, tpg);
	buf[hdr + 7] = 1; /* one target port */
	put_be16(buf + hdr + 8 + 2, rel_port);
	return n;
}

void spc_report_tpgs(struct scsi_cmd *cmd)
{
	uint8_t buf[32];
	uint8_t format = cmd->cdb[1] >> 5;

	if (format > 1) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 7);
		return;
	}
	dev_reply(cmd, buf, rtpg_build(cmd->nexus->tpgt, cmd->nexus->rel_port_id, format == 1, buf),
		  get_be32(cmd->cdb + 6));
}
