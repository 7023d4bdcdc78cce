/* fault_copy: a copy into a mapping whose file was shrunk fails with -1
 * instead of killing the process, and the guard is gone afterwards. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/fault_copy.h"

static void copies_iovecs_up_to_n(void **state)
{
	uint8_t a[100], b[50], dst[160];
	struct iovec iov[2] = {{a, sizeof(a)}, {b, sizeof(b)}};

	(void)state;
	memset(a, 1, sizeof(a));
	memset(b, 2, sizeof(b));
	memset(dst, 9, sizeof(dst));
	assert_int_equal(fault_copy_from_iov(dst, iov, 2, 120), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(dst[i], 1);
	for (int i = 100; i < 120; i++)
		assert_int_equal(dst[i], 2);
	for (int i = 120; i < 160; i++)
		assert_int_equal(dst[i], 9); /* nothing past n */
}

static void shrunk_file_fails_instead_of_killing(void **state)
{
	const long pg = sysconf(_SC_PAGESIZE);
	char path[] = "/tmp/luna-fault-XXXXXX";
	int fd = mkstemp(path);
	uint8_t src[64];
	struct iovec iov = {src, sizeof(src)};
	uint8_t *map, ok[64];

	(void)state;
	fault_copy_init(); /* after cmocka's own handlers */
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(fd, 2 * pg), 0);
	map = mmap(NULL, (size_t)(2 * pg), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(map != MAP_FAILED);
	memset(src, 7, sizeof(src));

	assert_int_equal(fault_copy_from_iov(map + pg, &iov, 1, sizeof(src)), 0);
	assert_int_equal(map[pg], 7);
	/* Someone else shrinks the file: the second page is gone. */
	assert_int_equal(ftruncate(fd, pg), 0);
	assert_int_equal(fault_copy_from_iov(map + pg, &iov, 1, sizeof(src)), -1);
	assert_int_equal(fault_copy_from_iov(map + pg, &iov, 1, sizeof(src)), -1);
	/* The first page is still there, and ordinary copies work again. */
	assert_int_equal(fault_copy_from_iov(map, &iov, 1, sizeof(src)), 0);
	assert_int_equal(map[0], 7);
	assert_int_equal(fault_copy_from_iov(ok, &iov, 1, sizeof(src)), 0);
	assert_memory_equal(ok, src, sizeof(src));
	munmap(map, (size_t)(2 * pg));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(copies_iovecs_up_to_n),
	    cmocka_unit_test(shrunk_file_fails_instead_of_killing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
