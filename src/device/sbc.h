/* SBC-4 direct-access block device (disk). */
#ifndef LUNA_DEVICE_SBC_H
#define LUNA_DEVICE_SBC_H

#include <stddef.h>
#include <stdint.h>

#include "scsi/lu.h"

extern const struct scsi_devtype sbc_disk_type;

struct scsi_cmd;
struct spc_type;

/* The SPC hooks of the disk type (VPD pages 0xb0-0xb2, mode header). */
extern const struct spc_type sbc_spc_type;

/* Command handlers, one file each. */
void sbc_read(struct scsi_cmd *cmd);
void sbc_write(struct scsi_cmd *cmd);
void sbc_read_capacity_10(struct scsi_cmd *cmd);
void sbc_read_capacity_16(struct scsi_cmd *cmd);
void sbc_sync_cache(struct scsi_cmd *cmd);

/* Is writing refused (read-only LU, write-protected mapping, SWP)?  Sets
 * DATA PROTECT sense if so. */
bool sbc_write_protected(struct scsi_cmd *cmd);

/* Pure builders for unit tests. */
size_t sbc_read_capacity_16_build(const struct scsi_lu *lu, uint8_t buf[32]);
size_t sbc_vpd_build(const struct scsi_lu *lu, uint8_t page, uint8_t *buf, size_t cap);

#endif
