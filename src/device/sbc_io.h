/* Backstore I/O on behalf of a disk command. */
#ifndef LUNA_DEVICE_SBC_IO_H
#define LUNA_DEVICE_SBC_IO_H

#include <stdint.h>

#include "backstore/backstore.h"

struct scsi_cmd;

/* Start one backstore operation for cmd; when it ends, the command
 * completes with GOOD or the sense that matches the error (and gives back
 * its LBA range, if it holds one). */
void sbc_io_submit(struct scsi_cmd *cmd, enum bs_op op, uint64_t offset, void *buf,
		   uint64_t len, unsigned flags);

/* As sbc_io_submit, but on success call next(cmd) instead of completing:
 * for commands made of several steps (read, compare, write).  cmd must hold
 * an LBA range (sbc_range_run). */
void sbc_io_then(struct scsi_cmd *cmd, enum bs_op op, uint64_t offset, void *buf, uint64_t len,
		 unsigned flags, void (*next)(struct scsi_cmd *cmd));

/* Read the command's blocks (cmd->lba, cmd->nblocks) into a buffer that
 * the range keeps as its ctx (freed with it), then call next(cmd). */
void sbc_read_range_then(struct scsi_cmd *cmd, void (*next)(struct scsi_cmd *cmd));

/* Complete cmd with `status`/sense already set, giving back its range. */
void sbc_finish(struct scsi_cmd *cmd);

#endif
