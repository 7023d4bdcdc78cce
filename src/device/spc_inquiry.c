/* INQUIRY: standard data (SPC-4 6.6.2) and the VPD pages every type has:
 * supported pages (0x00), unit serial number (0x80), device identification
 * (0x83). */
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "device/cdb.h"
#include "device/dev.h"
#include "device/spc.h"
#include "device/vpd.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define VPD_BUF_MAX 1024

/* Version descriptors (SPC-4 table 29), "no version claimed" forms. */
#define VD_SAM5 0x00a0
#define VD_SPC4 0x0460
#define VD_ISCSI 0x0960

size_t spc_std_inquiry_build(const struct scsi_lu *lu, const struct spc_type *t, uint8_t *buf)
{
	memset(buf, 0, SPC_STD_INQUIRY_LEN);
	buf[0] = lu->type->peripheral_type & 0x1f;
	buf[1] = lu->removable ? 0x80 : 0;
	buf[2] = 0x06;		/* SPC-4 */
	buf[3] = 0x10 | 0x02;	/* HISUP, response data format 2 */
	buf[4] = SPC_STD_INQUIRY_LEN - 5;
	/* TPGS 01b: implicit ALUA (REPORT TARGET PORT GROUPS answers); 3PC:
	 * EXTENDED COPY is there for the LUs of a target. */
	buf[5] = 0x10 | 0x08;
	buf[7] = 0x02;		/* CMDQUE */
	dev_put_ascii(buf + 8, 8, lu->vendor);
	dev_put_ascii(buf + 16, 16, lu->product);
	dev_put_ascii(buf + 32, 4, lu->revision);
	put_be16(buf + 58, VD_SAM5);
	put_be16(buf + 60, VD_ISCSI);
	put_be16(buf + 62, VD_SPC4);
	if (t->version_descriptor)
		put_be16(buf + 64, t->version_descriptor);
	return SPC_STD_INQUIRY_LEN;
}

static size_t vpd_supported(const struct scsi_lu *lu, const struct spc_type *t, uint8_t *buf)
{
	static const uint8_t common[] = {0x00, 0x80, 0x83};
	size_t n = 4;

	for (unsigned i = 0; i < ARRAY_SIZE(common); i++)
		buf[n++] = common[i];
	for (unsigned i = 0; i < t->n_vpd_pages; i++)
		if (t->vpd_has == NULL || t->vpd_has(lu, t->vpd_pages[i]))
			buf[n++] = t->vpd_pages[i];
	return n;
}

static size_t vpd_serial(const struct scsi_lu *lu, uint8_t *buf)
{
	size_t len = strlen(lu->serial);

	memcpy(buf + 4, lu->serial, len);
	return 4 + len;
}

static bool vpd_known(const struct scsi_lu *lu, const struct spc_type *t, uint8_t page)
{
	if (page == 0x00 || page == 0x80 || page == 0x83)
		return true;
	for (unsigned i = 0; i < t->n_vpd_pages; i++)
		if (t->vpd_pages[i] == page)
			return t->vpd_has == NULL || t->vpd_has(lu, page);
	return false;
}

size_t spc_vpd_build(const struct scsi_lu *lu, const struct scsi_nexus *nx,
		     const struct spc_type *t, uint8_t page, uint8_t *buf, size_t cap)
{
	size_t n;

	memset(buf, 0, cap);
	switch (page) {
	case 0x00:
		n = vpd_supported(lu, t, buf);
		break;
	case 0x80:
		n = vpd_serial(lu, buf);
		break;
	case 0x83:
		n = vpd_devid_build(lu, nx, buf, cap);
		break;
	default:
		n = t->vpd_build(lu, page, buf, cap);
		break;
	}
	buf[0] = lu->type->peripheral_type & 0x1f;
	buf[1] = page;
	put_be16(buf + 2, (uint16_t)(n - 4));
	return n;
}

void spc_inquiry(struct scsi_cmd *cmd, const struct spc_type *t)
{
	struct cdb_inquiry q;
	struct cdb_err err;
	uint8_t buf[VPD_BUF_MAX];
	size_t n;

	if (cdb_parse_inquiry(cmd->cdb, cmd->cdb_len, &q, &err) < 0) {
		dev_cdb_error(cmd, &err);
		return;
	}
	if (!q.evpd) {
		n = spc_std_inquiry_build(cmd->lu, t, buf);
	} else if (vpd_known(cmd->lu, t, q.page)) {
		n = spc_vpd_build(cmd->lu, cmd->nexus, t, q.page, buf, sizeof(buf));
	} else {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 2, -1);
		return;
	}
	dev_reply(cmd, buf, n, q.alloc);
}
