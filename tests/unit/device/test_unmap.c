/* The UNMAP parameter list parser and WRITE SAME's CDB parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/bytes.h"
#include "device/cdb.h"
#include "device/sbc.h"
#include "device/sbc_unmap.h"
#include "scsi/sense.h"

#define CAP 1000

static size_t list(uint8_t *p, unsigned n, uint64_t lba, uint32_t count)
{
	memset(p, 0, 8 + 16 * n);
	put_be16(p, (uint16_t)(6 + 16 * n));
	put_be16(p + 2, (uint16_t)(16 * n));
	for (unsigned i = 0; i < n; i++) {
		put_be64(p + 8 + 16 * i, lba + i * (uint64_t)count);
		put_be32(p + 8 + 16 * i + 8, count);
	}
	return 8 + 16 * n;
}

static void valid_lists(void **state)
{
	uint8_t p[8 + 16 * 4] = {0};
	struct unmap_list ul;

	(void)state;
	assert_int_equal(unmap_parse(p, 0, CAP, &ul), 0);
	assert_int_equal(ul.n, 0);
	assert_int_equal(unmap_parse(p, (uint32_t)list(p, 4, 0, 10), CAP, &ul), 0);
	assert_int_equal(ul.n, 4);
	/* The last block of the medium, and a zero count. */
	assert_int_equal(unmap_parse(p, (uint32_t)list(p, 1, CAP - 1, 1), CAP, &ul), 0);
	assert_int_equal(unmap_parse(p, (uint32_t)list(p, 1, 5, 0), CAP, &ul), 0);
}

static void bad_lists(void **state)
{
	uint8_t p[8 + 16 * 300] = {0};
	struct unmap_list ul;

	(void)state;
	assert_int_equal(unmap_parse(p, 7, CAP, &ul), -1);
	assert_int_equal(ul.asc_ascq, ASC_PARAM_LIST_LENGTH_ERROR);
	assert_int_equal(unmap_parse(p, (uint32_t)list(p, 1, CAP, 1), CAP, &ul), -1);
	assert_int_equal(ul.asc_ascq, ASC_LBA_OUT_OF_RANGE);
	/* LBA + count past 2^64 must not wrap into range. */
	assert_int_equal(unmap_parse(p, (uint32_t)list(p, 1, UINT64_MAX - 1, 4), CAP, &ul), -1);
	assert_int_equal(ul.asc_ascq, ASC_LBA_OUT_OF_RANGE);
	/* Too many descriptors. */
	assert_int_equal(unmap_parse(p, (uint32_t)list(p, 257, 0, 1), 1u << 20, &ul), -1);
	assert_int_equal(ul.asc_ascq, ASC_INVALID_FIELD_IN_PARAM_LIST);
	/* More blocks than MAXIMUM UNMAP LBA COUNT. */
	assert_int_equal(unmap_parse(p, (uint32_t)list(p, 2, 0, SBC_MAX_UNMAP_BLOCKS), UINT64_MAX,
				     &ul),
			 -1);
	assert_int_equal(ul.asc_ascq, ASC_INVALID_FIELD_IN_PARAM_LIST);
	/* Block descriptor data length longer than the list. */
	list(p, 1, 0, 1);
	put_be16(p + 2, 32);
	assert_int_equal(unmap_parse(p, 24, CAP, &ul), -1);
}

static void write_same_cdb(void **state)
{
	uint8_t c[16] = {0x93, 0x08, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 8, 0, 0};
	struct cdb_write_same ws;
	struct cdb_err err;

	(void)state;
	assert_int_equal(cdb_parse_write_same(c, 16, &ws, &err), 0);
	assert_true(ws.unmap);
	assert_int_equal(ws.lba, 5);
	assert_int_equal(ws.nblocks, 8);
	c[1] = 0x18; /* ANCHOR: not supported */
	assert_int_equal(cdb_parse_write_same(c, 16, &ws, &err), -1);
	assert_int_equal(err.asc_ascq, ASC_INVALID_FIELD_IN_CDB);
	c[1] = 0x20; /* WRPROTECT without protection information */
	assert_int_equal(cdb_parse_write_same(c, 16, &ws, &err), -1);
	c[1] = 0x02; /* reserved */
	assert_int_equal(cdb_parse_write_same(c, 16, &ws, &err), -1);
	c[1] = 0x01; /* NDOB */
	assert_int_equal(cdb_parse_write_same(c, 16, &ws, &err), 0);
	assert_true(ws.ndob);
	c[13] = 0; /* zero blocks: up to the last LBA (WSNZ 0), sized later */
	assert_int_equal(cdb_parse_write_same(c, 16, &ws, &err), 0);
	assert_int_equal(ws.nblocks, 0);
	c[15] = 0x04; /* NACA */
	c[13] = 1;
	assert_int_equal(cdb_parse_write_same(c, 16, &ws, &err), -1);
	assert_int_equal(cdb_parse_write_same(c, 9, &ws, &err), -1); /* short CDB */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_lists),
		cmocka_unit_test(bad_lists),
		cmocka_unit_test(write_same_cdb),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
