/* VPD page builders (pure: they read the LU and nexus, write a buffer). */
#ifndef LUNA_DEVICE_VPD_H
#define LUNA_DEVICE_VPD_H

#include <stddef.h>
#include <stdint.h>

struct scsi_lu;
struct scsi_nexus;
struct spc_type;

/* A whole VPD page (header included); returns its length.  cap must hold
 * any page (1024 bytes does). */
size_t spc_vpd_build(const struct scsi_lu *lu, const struct scsi_nexus *nx,
		     const struct spc_type *t, uint8_t page, uint8_t *buf, size_t cap);

/* The designation descriptors of page 0x83, after the 4-byte header;
 * returns the page length including the header.  nx may be NULL. */
size_t vpd_devid_build(const struct scsi_lu *lu, const struct scsi_nexus *nx, uint8_t *buf,
		       size_t cap);

#endif
