/* The disk's VPD pages: block limits (0xb0), block device characteristics
 * (0xb1), logical block provisioning (0xb2, thin LUs only). */
#include <string.h>

#include "common/bytes.h"
#include "device/dev.h"
#include "device/opcode_info.h"
#include "device/opcodes.h"
#include "device/sbc.h"
#include "device/xcopy.h"
#include "device/spc.h"
#include "scsi/lu.h"

#define VD_SBC3 0x04c0

/* Logical blocks per physical block, as the storage object says. */
unsigned sbc_lbppb_exponent(const struct scsi_lu *lu)
{
	return lu->lbppb_exp;
}

static size_t vpd_block_limits(const struct scsi_lu *lu, uint8_t *buf)
{
	uint32_t max_blocks = DEV_MAX_XFER_BYTES / lu->block_size;

	buf[4] = 0x00; /* WSNZ 0: WRITE SAME of zero blocks runs to the last LBA */
	buf[5] = SBC_MAX_COMPARE_WRITE_BLOCKS;
	put_be16(buf + 6, 1u << sbc_lbppb_exponent(lu)); /* optimal granularity */
	put_be32(buf + 8, max_blocks);			 /* maximum transfer length */
	put_be32(buf + 12, max_blocks);			 /* optimal transfer length */
	put_be32(buf + 16, max_blocks);			 /* maximum prefetch length */
	if (lu->lbpme) {
		put_be32(buf + 20, SBC_MAX_UNMAP_BLOCKS);
		put_be32(buf + 24, SBC_MAX_UNMAP_DESCRIPTORS);
		put_be32(buf + 28, 1u << sbc_lbppb_exponent(lu)); /* unmap granularity */
		put_be32(buf + 32, 0x80000000u);		  /* UGAVALID, aligned at 0 */
	}
	put_be64(buf + 36, SBC_MAX_WRITE_SAME_BLOCKS);
	put_be32(buf + 44, SBC_MAX_ATOMIC_BLOCKS(lu)); /* maximum atomic transfer length */
	put_be32(buf + 48, 1);			       /* atomic alignment */
	put_be32(buf + 52, 1);			       /* atomic transfer length granularity */
	/* No atomic boundaries: the last two fields stay 0. */
	return 64;
}

static size_t vpd_block_characteristics(uint8_t *buf)
{
	put_be16(buf + 4, 0x0001); /* medium rotation rate: non-rotating */
	/* WABEREQ, WACEREQ 01b: after a BLOCK or CRYPTO ERASE sanitize, reads
	 * succeed (and return zeroes). */
	buf[7] = 0x40 | 0x10;
	return 64;
}

static size_t vpd_provisioning(const struct scsi_lu *lu, uint8_t *buf)
{
	/* LBPU, LBPWS, LBPWS10; LBPRZ 001b: unmapped blocks read as zeroes;
	 * no ANCHOR requests (ANC_SUP 0), no descriptor (DP 0).  Unmapped
	 * blocks of a resource provisioned LU count as anchored. */
	buf[5] = 0x80 | 0x40 | 0x20 | 0x01 << 2;
	buf[6] = lu->thin ? 0x02 : 0x01; /* provisioning type: thin, resource provisioned */
	return 8;
}

static bool sbc_vpd_has(const struct scsi_lu *lu, uint8_t page)
{
	return page != 0xb2 || lu->lbpme;
}

size_t sbc_vpd_build(const struct scsi_lu *lu, uint8_t page, uint8_t *buf, size_t cap)
{
	switch (page) {
	case 0x8f:
		return xcopy_vpd_build(buf, cap);
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

static const uint8_t sbc_vpd_pages[] = {0x8f, 0xb0, 0xb1, 0xb2};

const struct spc_type sbc_spc_type = {
	.version_descriptor = VD_SBC3,
	.vpd_pages = sbc_vpd_pages,
	.n_vpd_pages = sizeof(sbc_vpd_pages),
	.vpd_has = sbc_vpd_has,
	.vpd_build = sbc_vpd_build,
	.mode_dev_specific = 0x10, /* DPOFUA: DPO and FUA are honoured */
	.block_descriptor = true,
	.opcodes = sbc_opcodes,
	.n_opcodes = SBC_N_OPCODES,
};
