/* Backstore I/O on behalf of a disk command. */
#ifndef LUNA_DEVICE_SBC_IO_H
#define LUNA_DEVICE_SBC_IO_H

#include <stdint.h>

#include "backstore/backstore.h"

struct scsi_cmd;

/* Start one backstore operation for cmd; when it ends, the command
 * completes with GOOD or the sense that matches the error. */
void sbc_io_submit(struct scsi_cmd *cmd, enum bs_op op, uint64_t offset, void *buf,
		   uint64_t len, unsigned flags);

#endif
