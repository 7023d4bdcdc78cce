/* The CRC cache of memory stores: combined digests equal reading the bytes,
 * changed blocks are forgotten, and concurrent checksums never leave a
 * stale value behind. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "backstore/crc_cache.h"
#include "common/crc32c.h"

#define STORE (64 * CRC32C_BLOCK + 1000) /* the last block is partial */

static uint8_t store[STORE];

static void fill(uint8_t *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static uint32_t digest_cached(struct crc_cache *cc, uint64_t off, uint64_t len)
{
	return crc32c_final(crc_cache_update(cc, store, off, len, crc32c_init()));
}

static uint32_t digest_read(uint64_t off, uint64_t len)
{
	return crc32c(store + off, len);
}

static void combined_equals_read(void **state)
{
	static const uint64_t offs[] = {0, 1, 511, CRC32C_BLOCK, 3 * CRC32C_BLOCK + 7};
	static const uint64_t lens[] = {0,
					1,
					100,
					CRC32C_BLOCK,
					2 * CRC32C_BLOCK - 1,
					10 * CRC32C_BLOCK,
					40 * CRC32C_BLOCK + 333};
	struct crc_cache *cc = crc_cache_new(STORE);

	(void)state;
	assert_non_null(cc);
	fill(store, sizeof(store), 1);
	/* Twice: the first pass computes and stores, the second combines. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
			for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++)
				assert_int_equal(digest_cached(cc, offs[i], lens[j]),
						 digest_read(offs[i], lens[j]));
	/* The whole store, partial last block included. */
	assert_int_equal(digest_cached(cc, 0, STORE), digest_read(0, STORE));
	crc_cache_free(cc);
}

static void changed_blocks_are_forgotten(void **state)
{
	struct crc_cache *cc = crc_cache_new(STORE);

	(void)state;
	fill(store, sizeof(store), 2);
	assert_int_equal(digest_cached(cc, 0, STORE), digest_read(0, STORE));
	/* One byte inside block 5, and a range across blocks 9 to 12. */
	store[5 * CRC32C_BLOCK + 17] ^= 0x40;
	crc_cache_forget(cc, 5 * CRC32C_BLOCK + 17, 1);
	fill(store + 9 * CRC32C_BLOCK + 100, 3 * CRC32C_BLOCK, 3);
	crc_cache_forget(cc, 9 * CRC32C_BLOCK + 100, 3 * CRC32C_BLOCK);
	assert_int_equal(digest_cached(cc, 0, STORE), digest_read(0, STORE));
	assert_int_equal(digest_cached(cc, 4 * CRC32C_BLOCK, 2 * CRC32C_BLOCK),
			 digest_read(4 * CRC32C_BLOCK, 2 * CRC32C_BLOCK));
	/* Forgetting past the end or nothing at all is harmless. */
	crc_cache_forget(cc, STORE - 10, 1 << 20);
	crc_cache_forget(cc, 0, 0);
	assert_int_equal(digest_cached(cc, 0, STORE), digest_read(0, STORE));
	crc_cache_free(cc);
}

static void no_cache_reads_the_bytes(void **state)
{
	(void)state;
	fill(store, sizeof(store), 4);
	assert_int_equal(digest_cached(NULL, 100, 20 * CRC32C_BLOCK),
			 digest_read(100, 20 * CRC32C_BLOCK));
	crc_cache_forget(NULL, 0, STORE);
	crc_cache_free(NULL);
}

/* Writers change blocks and forget them while readers checksum the same
 * blocks; once everybody stops, every stored value must match the bytes. */
struct race {
	struct crc_cache *cc;
	atomic_bool stop;
	uint32_t seed;
};

static void *writer(void *arg)
{
	struct race *r = arg;
	uint32_t seed = r->seed;

	while (!atomic_load(&r->stop)) {
		seed = seed * 1103515245u + 12345u;
		uint64_t blk = (seed >> 8) % 8;
		volatile uint8_t *p = store + blk * CRC32C_BLOCK;
		for (unsigned i = 0; i < CRC32C_BLOCK; i += 64)
			p[i] = (uint8_t)(p[i] + 1);
		crc_cache_forget(r->cc, blk * CRC32C_BLOCK, CRC32C_BLOCK);
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop))
		crc_cache_update(r->cc, store, 0, 8 * CRC32C_BLOCK, 0);
	return NULL;
}

static void racing_checksums_leave_nothing_stale(void **state)
{
	struct race r = {.cc = crc_cache_new(STORE), .seed = 5};
	struct timespec pause = {0, 200 * 1000 * 1000};
	pthread_t w, rd1, rd2;

	(void)state;
	fill(store, sizeof(store), 6);
	pthread_create(&w, NULL, writer, &r);
	pthread_create(&rd1, NULL, reader, &r);
	pthread_create(&rd2, NULL, reader, &r);
	nanosleep(&pause, NULL);
	atomic_store(&r.stop, true);
	pthread_join(w, NULL);
	pthread_join(rd1, NULL);
	pthread_join(rd2, NULL);
	for (uint64_t blk = 0; blk < 8; blk++)
		assert_int_equal(digest_cached(r.cc, blk * CRC32C_BLOCK, CRC32C_BLOCK),
				 digest_read(blk * CRC32C_BLOCK, CRC32C_BLOCK));
	crc_cache_free(r.cc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(combined_equals_read),
	    cmocka_unit_test(changed_blocks_are_forgotten),
	    cmocka_unit_test(no_cache_reads_the_bytes),
	    cmocka_unit_test(racing_checksums_leave_nothing_stale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
