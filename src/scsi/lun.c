/* LUN field encoding and decoding. */
#include "scsi/lun.h"

#include <string.h>

#include "common/bytes.h"

void scsi_lun_encode(uint64_t lun, uint8_t out[8])
{
	memset(out, 0, 8);
	if (lun < 256) {
		out[1] = (uint8_t)lun; /* peripheral device addressing, bus 0 */
	} else if (lun < 16384) {
		out[0] = (uint8_t)(0x40 | (lun >> 8)); /* flat space */
		out[1] = (uint8_t)lun;
	} else {
		out[0] = 0xd2; /* extended flat space, 3-byte LUN */
		put_be24(out + 1, (uint32_t)(lun & 0xffffff));
	}
}

static int rest_zero(const uint8_t *p, int n)
{
	for (int i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

uint64_t scsi_lun_decode(const uint8_t in[8])
{
	switch (in[0] >> 6) {
	case 0: /* peripheral: bus identifier 0 only */
		if (in[0] != 0 || !rest_zero(in + 2, 6))
			return SCSI_LUN_INVALID;
		return in[1];
	case 1: /* flat space */
		if (!rest_zero(in + 2, 6))
			return SCSI_LUN_INVALID;
		return ((uint64_t)(in[0] & 0x3f) << 8) | in[1];
	case 3:
		if (in[0] == 0xd2 && rest_zero(in + 4, 4))
			return get_be24(in + 1);
		return SCSI_LUN_INVALID;
	default: /* logical unit addressing: not ours */
		return SCSI_LUN_INVALID;
	}
}
