/* The disk's VPD pages: block limits (0xb0), block device characteristics
 * (0xb1), logical block provisioning (0xb2, thin LUs only). */
#include <string.h>

#include "common/bytes.h"
#include "device/dev.h"
#include "device/sbc.h"
#include "device/spc.h"
#include "scsi/lu.h"

#define VD_SBC3 0x04c0

static size_t vpd_block_limits(const struct scsi_lu *lu, uint8_t *buf)
{
	uint32_t max_blocks = DEV_MAX_XFER_BYTES / lu->block_size;

	put_be32(buf + 8, max_blocks);	/* maximum transfer length */
	put_be32(buf + 12, max_blocks); /* optimal transfer length */
	put_be16(buf + 6, 1);		/* optimal transfer length granularity */
	return 64;
}

static size_t vpd_block_characteristics(uint8_t *buf)
{
	put_be16(buf + 4, 0x0001); /* medium rotation rate: non-rotating */
	return 64;
}

static size_t vpd_provisioning(const struct scsi_lu *lu, uint8_t *buf)
{
	(void)lu;
	buf[5] = 0x01 << 2; /* LBPRZ: unmapped blocks read as zeroes */
	buf[6] = 0x02;	    /* provisioning type: thin */
	return 8;
}

static bool sbc_vpd_has(const struct scsi_lu *lu, uint8_t page)
{
	return page != 0xb2 || lu->thin;
}

size_t sbc_vpd_build(const struct scsi_lu *lu, uint8_t page, uint8_t *buf, size_t cap)
{
	(void)cap;
	switch (page) {
	case 0xb0:
		return vpd_block_limits(lu, buf);
	case 0xb1:
		return vpd_block_characteristics(buf);
	case 0xb2:
		return vpd_provisioning(lu, buf);
	default:
		return 4;
	}
}

static const uint8_t sbc_vpd_pages[] = {0xb0, 0xb1, 0xb2};

const struct spc_type sbc_spc_type = {
	.version_descriptor = VD_SBC3,
	.vpd_pages = sbc_vpd_pages,
	.n_vpd_pages = sizeof(sbc_vpd_pages),
	.vpd_has = sbc_vpd_has,
	.vpd_build = sbc_vpd_build,
	.mode_dev_specific = 0x10, /* DPOFUA: DPO and FUA are honoured */
	.block_descriptor = true,
};
