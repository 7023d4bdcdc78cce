/* SBC-4 direct-access block device (disk). */
#ifndef LUNA_DEVICE_SBC_H
#define LUNA_DEVICE_SBC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/dev.h"
#include "scsi/lu.h"

extern const struct scsi_devtype sbc_disk_type;

struct cdb_rw;
struct scsi_cmd;
struct spc_type;

/* The SPC hooks of the disk type (VPD pages 0xb0-0xb2, mode header). */
extern const struct spc_type sbc_spc_type;

/* Limits the Block Limits VPD page announces and the commands enforce. */
#define SBC_MAX_UNMAP_BLOCKS 0x100000u /* 512 MiB of 512-byte blocks per UNMAP */
#define SBC_MAX_UNMAP_DESCRIPTORS 256u
#define SBC_MAX_WRITE_SAME_BLOCKS 0x400000u
#define SBC_MAX_COMPARE_WRITE_BLOCKS 255u
#define SBC_MAX_ATOMIC_BLOCKS(lu) (DEV_MAX_XFER_BYTES / (lu)->block_size)

/* Command handlers, one file (family) each.  Every one completes cmd. */
void sbc_read(struct scsi_cmd *cmd);
void sbc_write(struct scsi_cmd *cmd);
void sbc_write_atomic(struct scsi_cmd *cmd);
void sbc_verify(struct scsi_cmd *cmd);
void sbc_write_verify(struct scsi_cmd *cmd);
void sbc_compare_write(struct scsi_cmd *cmd);
void sbc_orwrite(struct scsi_cmd *cmd);
void sbc_write_same(struct scsi_cmd *cmd);
void sbc_unmap(struct scsi_cmd *cmd);
void sbc_sync_cache(struct scsi_cmd *cmd);
void sbc_sanitize(struct scsi_cmd *cmd);
void sbc_format_unit(struct scsi_cmd *cmd);

/* Handlers that only set the status; the dispatcher completes cmd. */
void sbc_read_capacity_10(struct scsi_cmd *cmd);
void sbc_read_capacity_16(struct scsi_cmd *cmd);
void sbc_get_lba_status(struct scsi_cmd *cmd);
void sbc_prefetch(struct scsi_cmd *cmd);
void sbc_read_defect_data(struct scsi_cmd *cmd);
void sbc_start_stop_unit(struct scsi_cmd *cmd);
void sbc_prevent_allow(struct scsi_cmd *cmd);

/* Is writing refused (read-only LU, write-protected mapping, SWP)?  Sets
 * DATA PROTECT sense if so. */
bool sbc_write_protected(struct scsi_cmd *cmd);

/* The checks READ, WRITE and their relatives share (CDB, protection
 * fields, medium, write protection, range); false with sense set. */
bool sbc_rw_check(struct scsi_cmd *cmd, struct cdb_rw *rw, bool is_write);
/* LBA range and transfer size against the medium; sets cmd->lba and
 * cmd->nblocks.  len_byte is the CDB byte of the length, for the sense. */
bool sbc_range_check(struct scsi_cmd *cmd, uint64_t lba, uint64_t nblocks, uint16_t len_byte);
/* Whole blocks of data-out that arrived, at most nblocks. */
uint32_t sbc_blocks_arrived(const struct scsi_cmd *cmd, uint32_t nblocks);
/* Must a write with this FUA bit reach stable storage before GOOD? */
bool sbc_fua(const struct scsi_cmd *cmd, bool fua);

/* log2 of logical blocks per physical block (READ CAPACITY (16)). */
unsigned sbc_lbppb_exponent(const struct scsi_lu *lu);

/* Pure builders for unit tests. */
size_t sbc_read_capacity_16_build(const struct scsi_lu *lu, uint8_t buf[32]);
size_t sbc_vpd_build(const struct scsi_lu *lu, uint8_t page, uint8_t *buf, size_t cap);

#endif
