/* Helpers shared by the backstore unit tests. */
#ifndef LUNA_TEST_BS_UTIL_H
#define LUNA_TEST_BS_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "backstore/backstore.h"

struct sync_io {
	struct bs_io io;
	int calls;
};

static void sync_done(struct bs_io *io)
{
	((struct sync_io *)io)->calls++;
}

/* Submit one I/O to a store that completes inline; returns its result or
 * -1000 if done() was not called exactly once. */
static inline int do_io(struct backstore *bs, enum bs_op op, unsigned flags, uint64_t off,
			void *buf, uint64_t len)
{
	struct sync_io s;

	bs_io_prep(&s.io, op, off, buf, len, sync_done, NULL);
	s.io.flags = flags;
	s.calls = 0;
	backstore_submit(bs, &s.io);
	return s.calls == 1 ? s.io.result : -1000;
}

static inline int all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

/* A fresh temporary directory; the caller removes it. */
static inline char *make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *d = malloc(4096);

	snprintf(d, 4096, "%s/luna-bs-XXXXXX", base && *base ? base : "/tmp");
	return mkdtemp(d);
}

#endif
