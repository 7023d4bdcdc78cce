/* Data buffers of a command.
 *
 * Buffers come from per-thread free lists in power-of-two size classes
 * (4 KiB to 1 MiB), so the data path does not go to malloc, and to the
 * kernel for large sizes, for every command.  A command's buffers are
 * allocated and freed on its connection's worker thread; a buffer freed on
 * another thread simply joins that thread's lists. */
#include "scsi/scsi_cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define POOL_MIN_SHIFT 12 /* 4 KiB */
#define POOL_MAX_SHIFT 20 /* 1 MiB */
#define POOL_CLASSES (POOL_MAX_SHIFT - POOL_MIN_SHIFT + 1)
#define POOL_KEEP_BYTES (32u << 20) /* per thread and class */
#define BUF_ALIGN 4096

struct free_buf {
	struct free_buf *next;
};

struct pool_class {
	struct free_buf *head;
	uint32_t kept_bytes;
};

static __thread struct pool_class pool[POOL_CLASSES];

static int size_class(uint32_t len)
{
	int c = 0;

	while (c < POOL_CLASSES && (1u << (POOL_MIN_SHIFT + c)) < len)
		c++;
	return c; /* POOL_CLASSES: too large for the pool */
}

/* Page-aligned, because a store opened with O_DIRECT reads into and writes
 * from these buffers as they are, and the kernel refuses direct I/O from
 * memory that is not aligned to the device's blocks (malloc aligns large
 * blocks to 16 bytes only). */
static void *buf_alloc(size_t len)
{
	return aligned_alloc(BUF_ALIGN, ALIGN_UP(len ? len : 1, (size_t)BUF_ALIGN));
}

static void *pool_get(uint32_t len, uint32_t *cap)
{
	int c = size_class(len);
	struct free_buf *b;

	if (c == POOL_CLASSES) {
		*cap = len;
		return buf_alloc(len);
	}
	*cap = 1u << (POOL_MIN_SHIFT + c);
	b = pool[c].head;
	if (b) {
		pool[c].head = b->next;
		pool[c].kept_bytes -= *cap;
		return b;
	}
	return buf_alloc(*cap);
}

static void pool_put(void *p, uint32_t cap)
{
	int c = size_class(cap);
	struct free_buf *b = p;

	if (c == POOL_CLASSES || (1u << (POOL_MIN_SHIFT + c)) != cap ||
	    pool[c].kept_bytes + cap > POOL_KEEP_BYTES) {
		free(p);
		return;
	}
	b->next = pool[c].head;
	pool[c].head = b;
	pool[c].kept_bytes += cap;
}

int scsi_buf_alloc_raw(struct scsi_buf *b, uint32_t len)
{
	uint32_t cap;
	uint8_t *p = pool_get(len, &cap);

	/* Data buffers can be large (MaxBurstLength, big READs): a failed
	 * allocation is answered, not fatal. */
	if (p == NULL)
		return -ENOMEM;
	b->data = p;
	b->len = len;
	b->cap = cap;
	b->owned = true;
	return 0;
}

int scsi_buf_alloc(struct scsi_buf *b, uint32_t len)
{
	if (scsi_buf_alloc_raw(b, len) < 0)
		return -ENOMEM;
	memset(b->data, 0, len);
	return 0;
}

void scsi_buf_free(struct scsi_buf *b)
{
	if (b->owned && b->data)
		pool_put(b->data, b->cap);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->owned = false;
}

void scsi_buf_pool_drain(void)
{
	for (int c = 0; c < POOL_CLASSES; c++) {
		while (pool[c].head) {
			struct free_buf *b = pool[c].head;
			pool[c].head = b->next;
			free(b);
		}
		pool[c].kept_bytes = 0;
	}
}
