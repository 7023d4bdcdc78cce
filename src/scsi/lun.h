/* LUN fields (SAM-5 4.7): the 8-byte form on the wire and the LUN number
 * Luna's maps use.  Single-level peripheral (0-255), flat space
 * (256-16383) and extended flat space (up to 2^24-1) addressing. */
#ifndef LUNA_SCSI_LUN_H
#define LUNA_SCSI_LUN_H

#include <stdint.h>

/* A LUN number no map holds: what decoding a malformed field gives. */
#define SCSI_LUN_INVALID UINT64_MAX

void scsi_lun_encode(uint64_t lun, uint8_t out[8]);
uint64_t scsi_lun_decode(const uint8_t in[8]);

#endif
