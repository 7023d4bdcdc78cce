/* Helpers every device type uses to answer a command. */
#ifndef LUNA_DEVICE_DEV_H
#define LUNA_DEVICE_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "device/cdb.h"

struct scsi_cmd;

/* The largest data transfer one command may ask for (Block Limits VPD
 * MAXIMUM TRANSFER LENGTH); bounds the buffers a CDB can make us allocate. */
#define DEV_MAX_XFER_BYTES (32u << 20)

/* CHECK CONDITION for a CDB a parser refused. */
void dev_cdb_error(struct scsi_cmd *cmd, const struct cdb_err *err);

/* Return `len` bytes of parameter data, cut to the allocation length, with
 * GOOD status. */
void dev_reply(struct scsi_cmd *cmd, const void *data, size_t len, uint32_t alloc);

/* Copy an ASCII string into a fixed-width field, padded with spaces. */
void dev_put_ascii(uint8_t *dst, size_t width, const char *s);

/* The command failed for lack of memory. */
void dev_no_memory(struct scsi_cmd *cmd);

#endif
