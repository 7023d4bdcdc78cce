#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bs_test_util.h"

struct fx {
	char *dir;
	char path[4200];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->dir = make_tmpdir();
	if (f->dir == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/f0.img", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static struct backstore *open_file(const char *path, uint64_t size, char *err, size_t errlen)
{
	struct bs_params p = {
	    .name = "f0", .plugin = "fileio", .path = path, .size = size, .write_back = true};

	return backstore_open(&p, err, errlen);
}

static void test_sparse_create(void **state)
{
	struct fx *f = *state;
	char err[512];
	struct backstore *bs = open_file(f->path, 1ull << 30, err, sizeof(err));
	struct stat st;

	assert_non_null(bs);
	assert_true(bs->created);
	assert_int_equal(bs->size, 1ull << 30);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 1ull << 30);
	assert_true(st.st_blocks * 512 < 1 << 20); /* sparse */
	backstore_put(bs);

	/* reopen without a size: the file's size, not created */
	bs = open_file(f->path, 0, err, sizeof(err));
	assert_non_null(bs);
	assert_false(bs->created);
	assert_int_equal(bs->size, 1ull << 30);
	backstore_put(bs);

	/* a smaller size exposes less but leaves the file alone */
	bs = open_file(f->path, 1 << 20, err, sizeof(err));
	assert_int_equal(bs->size, 1 << 20);
	backstore_put(bs);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 1ull << 30);
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	char err[512];
	struct backstore *bs = open_file(f->path, 4 << 20, err, sizeof(err));
	uint8_t *w = malloc(65536), *r = malloc(65536);

	for (int i = 0; i < 65536; i++)
		w[i] = (uint8_t)(i * 7);
	assert_int_equal(do_io(bs, BS_WRITE, 0, 8192, w, 65536), 0);
	assert_int_equal(do_io(bs, BS_WRITE, BS_IO_FUA, 1 << 20, w, 4096), 0);
	assert_int_equal(do_io(bs, BS_FLUSH, 0, 0, NULL, 0), 0);
	assert_int_equal(do_io(bs, BS_READ, 0, 8192, r, 65536), 0);
	assert_memory_equal(w, r, 65536);
	assert_int_equal(do_io(bs, BS_READ, 0, 1 << 20, r, 4096), 0);
	assert_memory_equal(w, r, 4096);
	/* out of range */
	assert_int_equal(do_io(bs, BS_READ, 0, 4 << 20, r, 512), -ERANGE);
	free(w);
	free(r);
	backstore_put(bs);
}

static void test_discard_zeroes_lba_status(void **state)
{
	struct fx *f = *state;
	char err[512];
	struct backstore *bs = open_file(f->path, 4 << 20, err, sizeof(err));
	uint8_t *buf = malloc(1 << 20);
	bool mapped;
	uint64_t run;

	memset(buf, 0x5a, 1 << 20);
	assert_int_equal(do_io(bs, BS_WRITE, 0, 0, buf, 1 << 20), 0);
	assert_int_equal(backstore_lba_status(bs, 0, 4 << 20, &mapped, &run), 0);
	assert_true(mapped);
	assert_true(run >= 1 << 20 && run <= 4 << 20);
	assert_int_equal(backstore_lba_status(bs, 2 << 20, 1 << 20, &mapped, &run), 0);
	assert_false(mapped);

	assert_int_equal(do_io(bs, BS_DISCARD, 0, 256 << 10, NULL, 256 << 10), 0);
	assert_int_equal(do_io(bs, BS_WRITE_ZEROES, 0, 768 << 10, NULL, 4096), 0);
	assert_int_equal(do_io(bs, BS_READ, 0, 0, buf, 1 << 20), 0);
	assert_true(all_bytes(buf, 256 << 10, 0x5a));
	assert_true(all_bytes(buf + (256 << 10), 256 << 10, 0));
	assert_true(all_bytes(buf + (512 << 10), 256 << 10, 0x5a));
	assert_true(all_bytes(buf + (768 << 10), 4096, 0));
	assert_true(all_bytes(buf + (768 << 10) + 4096, (256 << 10) - 4096, 0x5a));
	/* the punched range is a hole now (filesystems allocate in blocks of at
	 * most 64 KiB, so the middle of a 256 KiB punch is surely a hole) */
	assert_int_equal(backstore_lba_status(bs, 320 << 10, 64 << 10, &mapped, &run), 0);
	assert_false(mapped);
	assert_int_equal(backstore_lba_status(bs, 0, 64 << 10, &mapped, &run), 0);
	assert_true(mapped);
	free(buf);
	backstore_put(bs);
}

static void test_bad_paths(void **state)
{
	struct fx *f = *state;
	char err[512], p[4300];

	snprintf(p, sizeof(p), "%s/no/such/dir/f.img", f->dir);
	assert_null(open_file(p, 1 << 20, err, sizeof(err)));
	assert_non_null(strstr(err, "fileio f0: cannot create"));
	assert_non_null(strstr(err, "does the directory exist?"));

	assert_null(open_file(f->path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "does not exist and no size was given"));
	assert_int_equal(access(f->path, F_OK), -1);

	assert_null(open_file(f->dir, 1 << 20, err, sizeof(err)));
	assert_non_null(strstr(err, f->dir));

	assert_null(open_file(NULL, 1 << 20, err, sizeof(err)));
	assert_non_null(strstr(err, "set \"dev\""));
}

static void test_block_refuses_file(void **state)
{
	struct fx *f = *state;
	char err[512];
	struct backstore *bs = open_file(f->path, 1 << 20, err, sizeof(err));
	struct bs_params p = {.name = "b0", .plugin = "block", .path = f->path};

	backstore_put(bs);
	assert_null(backstore_open(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "block b0:"));
	assert_non_null(strstr(err, "is not a block device"));
	assert_non_null(strstr(err, "fileio"));
	p.path = "/nonexistent-luna-device";
	assert_null(backstore_open(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open"));
}

static void test_readonly_and_resize(void **state)
{
	struct fx *f = *state;
	char err[512];
	struct backstore *bs = open_file(f->path, 1 << 20, err, sizeof(err));
	struct bs_params p = {.name = "f0", .plugin = "fileio", .path = f->path, .readonly = true};
	uint8_t buf[512] = {0};
	struct stat st;

	assert_int_equal(backstore_resize(bs, 2 << 20, err, sizeof(err)), 0);
	assert_int_equal(bs->size, 2 << 20);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 2 << 20);
	assert_int_not_equal(backstore_resize(bs, 1 << 20, err, sizeof(err)), 0);
	backstore_put(bs);

	bs = backstore_open(&p, err, sizeof(err));
	assert_non_null(bs);
	assert_int_equal(do_io(bs, BS_WRITE, 0, 0, buf, 512), -EROFS);
	assert_int_equal(do_io(bs, BS_READ, 0, 0, buf, 512), 0);
	backstore_put(bs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sparse_create, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_discard_zeroes_lba_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_block_refuses_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_and_resize, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
