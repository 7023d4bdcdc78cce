/* null: keeps nothing.  Reads return zeroes, writes succeed; useful to
 * measure the transport without any storage cost. */
#include <errno.h>
#include <stdio.h>

#include "backstore/plugins.h"

static int null_open(struct backstore *bs, const struct bs_params *p, char *err, size_t errlen)
{
	if (p->size == 0) {
		snprintf(err, errlen, "null %s: a size is required (for example 1G)", p->name);
		return -EINVAL;
	}
	bs->size = p->size;
	bs->can_discard = true;
	return 0;
}

static void null_close(struct backstore *bs)
{
	(void)bs;
}

static void null_submit(struct backstore *bs, struct bs_io *io)
{
	int rc = bs_io_check(bs, io);

	if (rc == 0 && io->op == BS_READ)
		bs_zero_iov(io);
	io->done_bytes = rc == 0 ? io->len : 0;
	bs_io_finish(io, rc);
}

static int null_resize(struct backstore *bs, uint64_t size, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	bs->size = size;
	return 0;
}

static int null_lba_status(struct backstore *bs, uint64_t offset, uint64_t len, bool *mapped,
			   uint64_t *run)
{
	(void)bs;
	(void)offset;
	*mapped = false; /* nothing is ever stored */
	*run = len;
	return 0;
}

const struct backstore_ops bs_null_ops = {
    .plugin = "null",
    .open = null_open,
    .close = null_close,
    .submit = null_submit,
    .resize = null_resize,
    .lba_status = null_lba_status,
};
