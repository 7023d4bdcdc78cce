/* The NBD protocol's newstyle fixed handshake and its simple replies, as
 * the server side speaks them (see the NBD project's proto.md). */
#ifndef LUNA_ISCSI_NBD_PROTO_H
#define LUNA_ISCSI_NBD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NBD_MAGIC 0x4e42444d41474943ull /* "NBDMAGIC" */
#define NBD_IHAVEOPT 0x49484156454f5054ull
#define NBD_REP_MAGIC 0x3e889045565a9ull
#define NBD_REQUEST_MAGIC 0x25609513u
#define NBD_SIMPLE_REPLY_MAGIC 0x67446698u

#define NBD_FLAG_FIXED_NEWSTYLE 1
#define NBD_FLAG_NO_ZEROES 2
#define NBD_FLAG_C_FIXED_NEWSTYLE 1
#define NBD_FLAG_C_NO_ZEROES 2

#define NBD_OPT_EXPORT_NAME 1
#define NBD_OPT_ABORT 2
#define NBD_OPT_LIST 3
#define NBD_OPT_INFO 6
#define NBD_OPT_GO 7

#define NBD_REP_ACK 1
#define NBD_REP_SERVER 2
#define NBD_REP_INFO 3
#define NBD_REP_ERR_UNSUP 0x80000001u
#define NBD_REP_ERR_POLICY 0x80000002u
#define NBD_REP_ERR_INVALID 0x80000003u

#define NBD_INFO_EXPORT 0
#define NBD_INFO_BLOCK_SIZE 3

#define NBD_FLAG_HAS_FLAGS (1 << 0)
#define NBD_FLAG_READ_ONLY (1 << 1)
#define NBD_FLAG_SEND_FLUSH (1 << 2)
#define NBD_FLAG_SEND_FUA (1 << 3)
#define NBD_FLAG_SEND_TRIM (1 << 5)
#define NBD_FLAG_SEND_WRITE_ZEROES (1 << 6)

#define NBD_CMD_READ 0
#define NBD_CMD_WRITE 1
#define NBD_CMD_DISC 2
#define NBD_CMD_FLUSH 3
#define NBD_CMD_TRIM 4
#define NBD_CMD_WRITE_ZEROES 6
#define NBD_CMD_FLAG_FUA (1 << 0)

#define NBD_EPERM 1
#define NBD_EIO 5
#define NBD_ENOMEM 12
#define NBD_EINVAL 22
#define NBD_ENOSPC 28
#define NBD_EOVERFLOW 75
#define NBD_ENOTSUP 95

#define NBD_MAX_REQUEST (32u << 20)

/* What the export looks like to clients. */
struct nbd_export {
	const char *name;
	uint64_t size;
	uint16_t flags; /* transmission flags */
	uint32_t block_size;
};

/* Run the handshake on a connected blocking socket.  Returns 1 when the
 * client moved to transmission, 0 when it went away or aborted politely,
 * -1 on a protocol error (message printed). */
int nbd_handshake(int fd, const struct nbd_export *ex);

/* A request header, decoded. */
struct nbd_request {
	uint16_t flags, type;
	uint64_t handle;
	uint64_t offset;
	uint32_t length;
};

/* Decode the 28-byte request header.  Returns 0 or -1 (bad magic). */
int nbd_decode_request(const uint8_t b[28], struct nbd_request *r);
/* Encode the 16-byte simple reply header. */
void nbd_encode_reply(uint8_t b[16], uint32_t error, uint64_t handle);

/* Blocking whole reads and writes; 0 or -1. */
int nbd_read_full(int fd, void *buf, size_t len);

#endif
