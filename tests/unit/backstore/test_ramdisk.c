#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "bs_test_util.h"
#include "common/crc32c.h"

static struct backstore *open_rd(uint64_t size, bool thin)
{
	struct bs_params p = {.name = "r0", .plugin = "ramdisk", .size = size, .thin = thin};
	char err[256];
	struct backstore *bs = backstore_open(&p, err, sizeof(err));

	assert_non_null(bs);
	return bs;
}

static void test_plugins_known(void **state)
{
	(void)state;
	assert_true(backstore_plugin_known("ramdisk"));
	assert_true(backstore_plugin_known("fileio"));
	assert_true(backstore_plugin_known("block"));
	assert_true(backstore_plugin_known("null"));
	assert_false(backstore_plugin_known("rbd"));
	assert_false(backstore_plugin_known(NULL));
}

static void test_unknown_plugin_and_bad_block_size(void **state)
{
	struct bs_params p = {.name = "x", .plugin = "tape", .size = 4096};
	char err[256];

	(void)state;
	assert_null(backstore_open(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "unknown backstore plugin"));
	p.plugin = "ramdisk";
	p.block_size = 1000;
	assert_null(backstore_open(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "block size 1000"));
	p.block_size = 0;
	p.size = 0;
	assert_null(backstore_open(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "ramdisk x: a size is required"));
}

static void test_rd_round_trip(void **state)
{
	struct backstore *bs = open_rd(1ull << 30, false); /* lazily allocated */
	uint8_t w[8192], r[8192];

	(void)state;
	assert_int_equal(bs->size, 1ull << 30);
	memset(w, 0xa5, sizeof(w));
	assert_int_equal(do_io(bs, BS_WRITE, 0, 4096 * 100, w, sizeof(w)), 0);
	assert_int_equal(do_io(bs, BS_READ, 0, 4096 * 100, r, sizeof(r)), 0);
	assert_memory_equal(w, r, sizeof(r));
	assert_int_equal(do_io(bs, BS_FLUSH, 0, 0, NULL, 0), 0);
	/* zero-copy view sees the same bytes */
	assert_true(all_bytes(bs->ops->map(bs, 4096 * 100, 8192), 8192, 0xa5));
	assert_null(bs->ops->map(bs, bs->size, 1));
	/* last block, and one beyond */
	assert_int_equal(do_io(bs, BS_WRITE, 0, bs->size - 512, w, 512), 0);
	assert_int_equal(do_io(bs, BS_WRITE, 0, bs->size - 512, w, 1024), -ERANGE);
	backstore_put(bs);
}

static void test_rd_discard_and_zeroes(void **state)
{
	struct backstore *bs = open_rd(1 << 20, true);
	uint8_t *buf = malloc(65536);
	bool mapped;
	uint64_t run;

	(void)state;
	memset(buf, 0x11, 65536);
	assert_int_equal(do_io(bs, BS_WRITE, 0, 0, buf, 65536), 0);
	/* a range with partial pages at both edges */
	assert_int_equal(do_io(bs, BS_DISCARD, 0, 512, NULL, 16384), 0);
	assert_int_equal(do_io(bs, BS_READ, 0, 0, buf, 65536), 0);
	assert_true(all_bytes(buf, 512, 0x11));
	assert_true(all_bytes(buf + 512, 16384, 0));
	assert_true(all_bytes(buf + 512 + 16384, 65536 - 512 - 16384, 0x11));
	/* the whole pages in the middle are gone; untouched space is unmapped */
	assert_int_equal(backstore_lba_status(bs, 4096, 4096, &mapped, &run), 0);
	assert_false(mapped);
	assert_int_equal(backstore_lba_status(bs, 65536, 65536, &mapped, &run), 0);
	assert_false(mapped);
	assert_int_equal(backstore_lba_status(bs, 20480, 4096, &mapped, &run), 0);
	assert_true(mapped);

	assert_int_equal(do_io(bs, BS_WRITE_ZEROES, 0, 32768, NULL, 4096), 0);
	assert_int_equal(do_io(bs, BS_READ, 0, 32768, buf, 8192), 0);
	assert_true(all_bytes(buf, 4096, 0));
	assert_true(all_bytes(buf + 4096, 4096, 0x11));
	free(buf);
	backstore_put(bs);
}

static void test_rd_iovecs_and_refs(void **state)
{
	struct backstore *bs = open_rd(1 << 20, false);
	uint8_t a[100], b[412], out[512];
	struct iovec v[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
	struct sync_io s;

	(void)state;
	memset(a, 1, sizeof(a));
	memset(b, 2, sizeof(b));
	bs_io_prep(&s.io, BS_WRITE, 1024, NULL, 512, sync_done, NULL);
	s.io.iov = v;
	s.io.iovcnt = 2;
	s.calls = 0;
	backstore_submit(bs, &s.io);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.io.result, 0);
	assert_int_equal(do_io(bs, BS_READ, 0, 1024, out, 512), 0);
	assert_true(all_bytes(out, 100, 1));
	assert_true(all_bytes(out + 100, 412, 2));
	backstore_get(bs);
	backstore_put(bs);
	assert_int_equal(atomic_load(&bs->refcnt), 1);
	backstore_put(bs);
}

static void test_rd_readonly_and_resize(void **state)
{
	struct bs_params p = {.name = "ro", .plugin = "ramdisk", .size = 8192, .readonly = true};
	char err[256];
	struct backstore *bs = backstore_open(&p, err, sizeof(err));
	uint8_t buf[512] = {0};

	(void)state;
	assert_int_equal(do_io(bs, BS_WRITE, 0, 0, buf, 512), -EROFS);
	assert_int_equal(do_io(bs, BS_READ, 0, 0, buf, 512), 0);
	assert_int_not_equal(backstore_resize(bs, 4096, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "cannot shrink"));
	backstore_put(bs);
}

/* The digest a RAM disk gives for a range (ops->crc, from its CRC cache)
 * follows every way of changing the bytes. */
static uint32_t rd_digest(struct backstore *bs, uint64_t off, uint64_t len)
{
	return crc32c_final(bs->ops->crc(bs, off, len, crc32c_init()));
}

static uint32_t read_digest(struct backstore *bs, uint64_t off, uint64_t len)
{
	static uint8_t buf[65536];

	assert_true(len <= sizeof(buf));
	assert_int_equal(do_io(bs, BS_READ, 0, off, buf, len), 0);
	return crc32c(buf, len);
}

static void test_rd_crc_follows_changes(void **state)
{
	struct backstore *bs = open_rd(1 << 20, true);
	uint8_t buf[16384];

	(void)state;
	assert_non_null(bs->ops->crc);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	assert_int_equal(rd_digest(bs, 0, 65536), read_digest(bs, 0, 65536));
	assert_int_equal(do_io(bs, BS_WRITE, 0, 4096, buf, sizeof(buf)), 0);
	assert_int_equal(rd_digest(bs, 0, 65536), read_digest(bs, 0, 65536));
	assert_int_equal(do_io(bs, BS_WRITE_ZEROES, 0, 8192, NULL, 512), 0);
	assert_int_equal(rd_digest(bs, 0, 65536), read_digest(bs, 0, 65536));
	assert_int_equal(do_io(bs, BS_DISCARD, 0, 4096, NULL, 4096), 0);
	assert_int_equal(rd_digest(bs, 0, 65536), read_digest(bs, 0, 65536));
	assert_int_equal(rd_digest(bs, 100, 30000), read_digest(bs, 100, 30000));
	backstore_put(bs);
}

static void test_null(void **state)
{
	struct bs_params p = {.name = "n0", .plugin = "null", .size = 1 << 20};
	char err[256];
	struct backstore *bs = backstore_open(&p, err, sizeof(err));
	uint8_t buf[4096];

	(void)state;
	assert_non_null(bs);
	memset(buf, 0x77, sizeof(buf));
	assert_int_equal(do_io(bs, BS_WRITE, BS_IO_FUA, 0, buf, sizeof(buf)), 0);
	assert_int_equal(do_io(bs, BS_READ, 0, 0, buf, sizeof(buf)), 0);
	assert_true(all_bytes(buf, sizeof(buf), 0));
	assert_int_equal(do_io(bs, BS_READ, 0, 1 << 20, buf, 512), -ERANGE);
	backstore_put(bs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plugins_known),
	    cmocka_unit_test(test_unknown_plugin_and_bad_block_size),
	    cmocka_unit_test(test_rd_round_trip),
	    cmocka_unit_test(test_rd_discard_and_zeroes),
	    cmocka_unit_test(test_rd_iovecs_and_refs),
	    cmocka_unit_test(test_rd_readonly_and_resize),
	    cmocka_unit_test(test_rd_crc_follows_changes),
	    cmocka_unit_test(test_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
