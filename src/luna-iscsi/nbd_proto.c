#include "common/atomic_file.h"
#include "luna-iscsi/nbd_proto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/util.h"
#include "luna-iscsi/tool.h"

#define MAX_OPTION_LEN 4096

int nbd_read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int nbd_decode_request(const uint8_t b[28], struct nbd_request *r)
{
	if (get_be32(b) != NBD_REQUEST_MAGIC)
		return -1;
	r->flags = get_be16(b + 4);
	r->type = get_be16(b + 6);
	r->handle = get_be64(b + 8);
	r->offset = get_be64(b + 16);
	r->length = get_be32(b + 24);
	return 0;
}

void nbd_encode_reply(uint8_t b[16], uint32_t error, uint64_t handle)
{
	put_be32(b, NBD_SIMPLE_REPLY_MAGIC);
	put_be32(b + 4, error);
	put_be64(b + 8, handle);
}

static int opt_reply(int fd, uint32_t opt, uint32_t type, const void *data, uint32_t len)
{
	uint8_t h[20];

	put_be64(h, NBD_REP_MAGIC);
	put_be32(h + 8, opt);
	put_be32(h + 12, type);
	put_be32(h + 16, len);
	if (write_all(fd, h, sizeof(h)) < 0)
		return -1;
	return len ? write_all(fd, data, len) : 0;
}

static int info_export(int fd, uint32_t opt, const struct nbd_export *ex)
{
	uint8_t b[12];

	put_be16(b, NBD_INFO_EXPORT);
	put_be64(b + 2, ex->size);
	put_be16(b + 10, ex->flags);
	return opt_reply(fd, opt, NBD_REP_INFO, b, sizeof(b));
}

static int info_block_size(int fd, uint32_t opt, const struct nbd_export *ex)
{
	uint8_t b[14];

	/* Any alignment works (the bridge reads and patches partial blocks),
	 * but whole blocks are faster. */
	put_be16(b, NBD_INFO_BLOCK_SIZE);
	put_be32(b + 2, 1);
	put_be32(b + 6, MAX(ex->block_size, 4096u));
	put_be32(b + 10, NBD_MAX_REQUEST);
	return opt_reply(fd, opt, NBD_REP_INFO, b, sizeof(b));
}

/* NBD_OPT_INFO and NBD_OPT_GO: name length, name, requests. */
static int opt_info(int fd, uint32_t opt, const uint8_t *d, uint32_t len,
		    const struct nbd_export *ex)
{
	uint32_t nlen;

	if (len < 6 || (nlen = get_be32(d)) > len - 6 ||
	    len != 4 + nlen + 2 + 2u * get_be16(d + 4 + nlen))
		return opt_reply(fd, opt, NBD_REP_ERR_INVALID, NULL, 0);
	if (info_export(fd, opt, ex) < 0 || info_block_size(fd, opt, ex) < 0)
		return -1;
	return opt_reply(fd, opt, NBD_REP_ACK, NULL, 0);
}

static int opt_list(int fd, const struct nbd_export *ex)
{
	uint32_t n = (uint32_t)strlen(ex->name);
	uint8_t *b = xmalloc(4 + n);
	int rc;

	put_be32(b, n);
	memcpy(b + 4, ex->name, n);
	rc = opt_reply(fd, NBD_OPT_LIST, NBD_REP_SERVER, b, 4 + n);
	free(b);
	return rc < 0 ? -1 : opt_reply(fd, NBD_OPT_LIST, NBD_REP_ACK, NULL, 0);
}

/* The old way in: size, flags and (unless NO_ZEROES) 124 zero bytes. */
static int export_name(int fd, const struct nbd_export *ex, bool no_zeroes)
{
	uint8_t b[10 + 124] = {0};

	put_be64(b, ex->size);
	put_be16(b + 8, ex->flags);
	return write_all(fd, b, no_zeroes ? 10 : sizeof(b));
}

/* One option.  1: transmission starts, 0: carry on, -1: stop. */
static int one_option(int fd, const struct nbd_export *ex, bool no_zeroes)
{
	uint8_t h[16], *d = NULL;
	uint32_t opt, len;
	int rc;

	if (nbd_read_full(fd, h, sizeof(h)) < 0)
		return -1;
	opt = get_be32(h + 8);
	len = get_be32(h + 12);
	if (get_be64(h) != NBD_IHAVEOPT || len > MAX_OPTION_LEN) {
		tool_err("nbd: a client sent a malformed option (bad magic or %u bytes)", len);
		return -1;
	}
	d = xmalloc(len + 1);
	if (nbd_read_full(fd, d, len) < 0) {
		free(d);
		return -1;
	}
	switch (opt) {
	case NBD_OPT_EXPORT_NAME:
		rc = export_name(fd, ex, no_zeroes) < 0 ? -1 : 1;
		break;
	case NBD_OPT_ABORT:
		opt_reply(fd, opt, NBD_REP_ACK, NULL, 0);
		rc = -1;
		break;
	case NBD_OPT_LIST:
		rc = len ? opt_reply(fd, opt, NBD_REP_ERR_INVALID, NULL, 0) : opt_list(fd, ex);
		break;
	case NBD_OPT_INFO:
	case NBD_OPT_GO:
		rc = opt_info(fd, opt, d, len, ex);
		if (rc == 0 && opt == NBD_OPT_GO)
			rc = 1;
		break;
	default: /* structured replies and the rest: not offered */
		rc = opt_reply(fd, opt, NBD_REP_ERR_UNSUP, NULL, 0);
		break;
	}
	free(d);
	return rc;
}

int nbd_handshake(int fd, const struct nbd_export *ex)
{
	uint8_t b[18];
	uint32_t cflags;
	int rc;

	put_be64(b, NBD_MAGIC);
	put_be64(b + 8, NBD_IHAVEOPT);
	put_be16(b + 16, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
	if (write_all(fd, b, sizeof(b)) < 0 || nbd_read_full(fd, b, 4) < 0)
		return 0;
	cflags = get_be32(b);
	if (cflags & ~(uint32_t)(NBD_FLAG_C_FIXED_NEWSTYLE | NBD_FLAG_C_NO_ZEROES)) {
		tool_err("nbd: a client asked for handshake flags we do not know (0x%x)", cflags);
		return -1;
	}
	while ((rc = one_option(fd, ex, (cflags & NBD_FLAG_C_NO_ZEROES) != 0)) == 0)
		;
	return rc > 0 ? 1 : 0;
}
