/* The backstore registry: plugin dispatch, reference counting, and the
 * helpers every plugin shares. */
#include "backstore/backstore.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "backstore/plugins.h"
#include "common/log.h"
#include "common/util.h"

static const struct backstore_ops *const plugins[] = {
    &bs_ramdisk_ops,
    &bs_fileio_ops,
    &bs_block_ops,
    &bs_null_ops,
};

static const struct backstore_ops *find_plugin(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(plugins); i++)
		if (name && strcmp(plugins[i]->plugin, name) == 0)
			return plugins[i];
	return NULL;
}

bool backstore_plugin_known(const char *plugin)
{
	return find_plugin(plugin) != NULL;
}

static bool block_size_valid(uint32_t bsz)
{
	return bsz == 512 || bsz == 4096;
}

struct backstore *backstore_open(const struct bs_params *p, char *err, size_t errlen)
{
	const struct backstore_ops *ops = find_plugin(p->plugin);
	struct backstore *bs;

	if (ops == NULL) {
		snprintf(err, errlen,
			 "%s: unknown backstore plugin \"%s\" (use ramdisk, fileio, "
			 "block or null)",
			 p->name, p->plugin ? p->plugin : "");
		return NULL;
	}
	if (p->block_size && !block_size_valid(p->block_size)) {
		snprintf(err, errlen, "%s %s: block size %u is not supported (use 512 or 4096)",
			 p->plugin, p->name, p->block_size);
		return NULL;
	}
	bs = xcalloc(1, sizeof(*bs));
	strlcpy_luna(bs->name, p->name, sizeof(bs->name));
	bs->ops = ops;
	bs->path = p->path ? xstrdup(p->path) : NULL;
	bs->block_size = p->block_size ? p->block_size : 512;
	bs->thin = p->thin;
	bs->readonly = p->readonly;
	atomic_init(&bs->refcnt, 1);
	if (ops->open(bs, p, err, errlen) < 0) {
		free(bs->path);
		free(bs);
		return NULL;
	}
	return bs;
}

void backstore_get(struct backstore *bs)
{
	atomic_fetch_add(&bs->refcnt, 1);
}

void backstore_put(struct backstore *bs)
{
	if (bs == NULL || atomic_fetch_sub(&bs->refcnt, 1) != 1)
		return;
	bs->ops->close(bs);
	free(bs->path);
	free(bs);
}

int backstore_resize(struct backstore *bs, uint64_t size, char *err, size_t errlen)
{
	if (size == bs->size)
		return 0;
	if (bs->ops->resize == NULL) {
		snprintf(err, errlen,
			 "%s %s: this plugin cannot change size (remove the storage "
			 "object and add it again)",
			 bs->ops->plugin, bs->name);
		return -ENOTSUP;
	}
	return bs->ops->resize(bs, size, err, errlen);
}

int backstore_lba_status(struct backstore *bs, uint64_t offset, uint64_t len, bool *mapped,
			 uint64_t *run)
{
	if (bs->ops->lba_status)
		return bs->ops->lba_status(bs, offset, len, mapped, run);
	*mapped = true;
	*run = len;
	return 0;
}

void bs_io_prep(struct bs_io *io, enum bs_op op, uint64_t offset, void *buf, uint64_t len,
		bs_done_fn done, void *arg)
{
	memset(io, 0, sizeof(*io));
	io->op = op;
	io->offset = offset;
	io->len = len;
	io->iov_inline[0].iov_base = buf;
	io->iov_inline[0].iov_len = buf ? len : 0;
	io->iov = io->iov_inline;
	io->iovcnt = buf ? 1 : 0;
	io->done = done;
	io->arg = arg;
}

int bs_io_check(struct backstore *bs, struct bs_io *io)
{
	bool writes = io->op != BS_READ && io->op != BS_FLUSH;

	if (writes && bs->readonly)
		return -EROFS;
	if (io->op == BS_FLUSH)
		return 0;
	if (io->offset > bs->size || io->len > bs->size - io->offset)
		return -ERANGE;
	if ((io->op == BS_READ || io->op == BS_WRITE) && bs_iov_total(io) < io->len)
		return -EINVAL;
	return 0;
}

uint64_t bs_iov_total(const struct bs_io *io)
{
	uint64_t n = 0;

	for (int i = 0; i < io->iovcnt; i++)
		n += io->iov[i].iov_len;
	return n;
}

void bs_io_finish(struct bs_io *io, int result)
{
	io->result = result;
	io->done(io);
}

/* Copy between a flat buffer and the I/O's iovecs, limited to io->len. */
void bs_copy_iov(struct bs_io *io, uint8_t *flat, bool to_iov)
{
	uint64_t left = io->len;

	for (int i = 0; i < io->iovcnt && left; i++) {
		size_t n = MIN(io->iov[i].iov_len, left);
		if (to_iov)
			memcpy(io->iov[i].iov_base, flat, n);
		else
			memcpy(flat, io->iov[i].iov_base, n);
		flat += n;
		left -= n;
	}
}

void bs_zero_iov(struct bs_io *io)
{
	uint64_t left = io->len;

	for (int i = 0; i < io->iovcnt && left; i++) {
		size_t n = MIN(io->iov[i].iov_len, left);
		memset(io->iov[i].iov_base, 0, n);
		left -= n;
	}
}

static const uint8_t *zero_region;
static pthread_once_t zero_region_once = PTHREAD_ONCE_INIT;

static void zero_region_map(void)
{
	/* Never written: every page reads as the kernel's one zero page, so
	 * the region costs address space, not memory. */
	void *p = mmap(NULL, BS_ZERO_REGION_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	zero_region = p == MAP_FAILED ? NULL : p;
}

const uint8_t *bs_zero_region(uint64_t len)
{
	if (len > BS_ZERO_REGION_MAX)
		return NULL;
	pthread_once(&zero_region_once, zero_region_map);
	return zero_region;
}
