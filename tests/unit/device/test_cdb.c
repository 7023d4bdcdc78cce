/* CDB parsers, including malformed CDBs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "device/cdb.h"
#include "scsi/sense.h"

static void lengths(void **state)
{
	(void)state;
	assert_int_equal(cdb_length(0x08), 6);
	assert_int_equal(cdb_length(0x28), 10);
	assert_int_equal(cdb_length(0x5a), 10);
	assert_int_equal(cdb_length(0x88), 16);
	assert_int_equal(cdb_length(0xa8), 12);
	assert_int_equal(cdb_length(0x7f), 0);
	assert_int_equal(cdb_length(0xc0), 0);
}

static void read6(void **state)
{
	uint8_t c[6] = {0x08, 0x1f, 0xff, 0xff, 0, 0};
	struct cdb_rw rw;
	struct cdb_err e;

	(void)state;
	assert_int_equal(cdb_parse_rw(c, 6, &rw, &e), 0);
	assert_int_equal(rw.lba, 0x1fffff);
	assert_int_equal(rw.nblocks, 256); /* 0 means 256 */
	c[4] = 7;
	assert_int_equal(cdb_parse_rw(c, 6, &rw, &e), 0);
	assert_int_equal(rw.nblocks, 7);
	c[1] = 0x20; /* reserved bits */
	assert_int_equal(cdb_parse_rw(c, 6, &rw, &e), -1);
	assert_int_equal(e.asc_ascq, ASC_INVALID_FIELD_IN_CDB);
	assert_int_equal(e.byte, 1);
}

static void read10_flags_and_lengths(void **state)
{
	uint8_t c[10] = {0x28, 0x18, 0x12, 0x34, 0x56, 0x78, 0x05, 0x00, 0x00, 0x00};
	struct cdb_rw rw;
	struct cdb_err e;

	(void)state;
	assert_int_equal(cdb_parse_rw(c, 10, &rw, &e), 0);
	assert_int_equal(rw.lba, 0x12345678);
	assert_int_equal(rw.nblocks, 0); /* 0 blocks: no transfer, not an error */
	assert_true(rw.fua && rw.dpo);
	assert_int_equal(rw.group, 5);
	c[1] = 0x60;
	assert_int_equal(cdb_parse_rw(c, 10, &rw, &e), 0);
	assert_int_equal(rw.protect, 3);
	/* Too short for its opcode. */
	assert_int_equal(cdb_parse_rw(c, 6, &rw, &e), -1);
	assert_int_equal(e.asc_ascq, ASC_INVALID_OPCODE);
	/* NACA in the control byte. */
	c[1] = 0;
	c[9] = 0x04;
	assert_int_equal(cdb_parse_rw(c, 10, &rw, &e), -1);
	assert_int_equal(e.asc_ascq, ASC_INVALID_FIELD_IN_CDB);
	assert_int_equal(e.byte, 9);
	assert_int_equal(e.bit, 2);
}

static void rw12_16(void **state)
{
	uint8_t c12[12] = {0xaa, 0, 0, 0, 0, 9, 0, 0, 1, 0, 0, 0};
	uint8_t c16[16] = {0x88, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0, 0};
	struct cdb_rw rw;
	struct cdb_err e;

	(void)state;
	assert_int_equal(cdb_parse_rw(c12, 12, &rw, &e), 0);
	assert_int_equal(rw.lba, 9);
	assert_int_equal(rw.nblocks, 256);
	assert_int_equal(cdb_parse_rw(c16, 16, &rw, &e), 0);
	assert_true(rw.lba == UINT64_MAX);
	assert_int_equal(rw.nblocks, 0xffffffffu);
	c16[0] = 0x8c; /* not a read or write */
	assert_int_equal(cdb_parse_rw(c16, 16, &rw, &e), -1);
	assert_int_equal(e.asc_ascq, ASC_INVALID_OPCODE);
}

static void range(void **state)
{
	(void)state;
	assert_true(cdb_range_ok(0, 100, 100));
	assert_true(cdb_range_ok(100, 0, 100)); /* at the end, no blocks */
	assert_false(cdb_range_ok(101, 0, 100));
	assert_false(cdb_range_ok(99, 2, 100));
	/* LBA + length past 2^64 must not wrap into range. */
	assert_false(cdb_range_ok(UINT64_MAX, 2, 100));
	assert_false(cdb_range_ok(UINT64_MAX - 1, 0xffffffffu, UINT64_MAX));
	assert_true(cdb_range_ok(UINT64_MAX - 1, 1, UINT64_MAX));
}

static void inquiry(void **state)
{
	uint8_t c[6] = {0x12, 0x00, 0x00, 0x00, 0x05, 0x00};
	struct cdb_inquiry q;
	struct cdb_err e;

	(void)state;
	assert_int_equal(cdb_parse_inquiry(c, 6, &q, &e), 0);
	assert_false(q.evpd);
	assert_int_equal(q.alloc, 5);
	c[2] = 0x80; /* page code without EVPD */
	assert_int_equal(cdb_parse_inquiry(c, 6, &q, &e), -1);
	assert_int_equal(e.byte, 2);
	c[1] = 0x01;
	assert_int_equal(cdb_parse_inquiry(c, 6, &q, &e), 0);
	assert_true(q.evpd);
	assert_int_equal(q.page, 0x80);
	c[1] = 0x02; /* CMDDT */
	assert_int_equal(cdb_parse_inquiry(c, 6, &q, &e), -1);
	assert_int_equal(e.byte, 1);
	assert_int_equal(e.bit, 1);
	c[1] = 0;
	c[2] = 0;
	c[3] = 0xff;
	c[4] = 0xff;
	assert_int_equal(cdb_parse_inquiry(c, 6, &q, &e), 0);
	assert_int_equal(q.alloc, 0xffff);
}

static void mode_sense(void **state)
{
	uint8_t c6[6] = {0x1a, 0x08, 0xbf, 0x00, 0xff, 0};
	uint8_t c10[10] = {0x5a, 0x10, 0x08, 0x00, 0, 0, 0, 0x01, 0x01, 0};
	struct cdb_mode_sense m;
	struct cdb_err e;

	(void)state;
	assert_int_equal(cdb_parse_mode_sense(c6, 6, &m, &e), 0);
	assert_true(m.dbd);
	assert_int_equal(m.pc, 2);
	assert_int_equal(m.page, 0x3f);
	assert_int_equal(m.alloc, 255);
	assert_int_equal(cdb_parse_mode_sense(c10, 10, &m, &e), 0);
	assert_true(m.llbaa);
	assert_false(m.dbd);
	assert_int_equal(m.page, 0x08);
	assert_int_equal(m.alloc, 257);
}

static void read_capacity(void **state)
{
	uint8_t c10[10] = {0x25, 0, 0, 0, 0, 1, 0, 0, 0, 0};
	uint8_t c16[16] = {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0};
	struct cdb_capacity c;
	struct cdb_err e;

	(void)state;
	/* LBA without PMI. */
	assert_int_equal(cdb_parse_read_capacity(c10, 10, &c, &e), -1);
	assert_int_equal(e.byte, 2);
	c10[8] = 1;
	assert_int_equal(cdb_parse_read_capacity(c10, 10, &c, &e), 0);
	assert_true(c.pmi);
	assert_int_equal(cdb_parse_read_capacity(c16, 16, &c, &e), 0);
	assert_int_equal(c.alloc, 32);
	c16[1] = 0x11; /* another service action */
	assert_int_equal(cdb_parse_read_capacity(c16, 16, &c, &e), -1);
	assert_int_equal(e.asc_ascq, ASC_INVALID_OPCODE);
}

static void sync_and_sense(void **state)
{
	uint8_t s10[10] = {0x35, 0x02, 0, 0, 0, 8, 0, 0, 4, 0};
	uint8_t s16[16] = {0x91, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0};
	uint8_t rs[6] = {0x03, 0x01, 0, 0, 0, 0};
	struct cdb_sync s;
	struct cdb_request_sense r;
	struct cdb_err e;

	(void)state;
	assert_int_equal(cdb_parse_sync_cache(s10, 10, &s, &e), 0);
	assert_true(s.immed);
	assert_int_equal(s.lba, 8);
	assert_int_equal(s.nblocks, 4);
	assert_int_equal(cdb_parse_sync_cache(s16, 16, &s, &e), 0);
	assert_int_equal(s.lba, 1);
	assert_int_equal(s.nblocks, 2);
	assert_int_equal(cdb_parse_request_sense(rs, 6, &r, &e), 0);
	assert_true(r.desc);
	assert_int_equal(r.alloc, 0); /* allocation length 0 is legal */
	rs[1] = 0x80;
	assert_int_equal(cdb_parse_request_sense(rs, 6, &r, &e), -1);
	assert_int_equal(cdb_parse_tur(rs, 0, &e), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lengths),     cmocka_unit_test(read6),
		cmocka_unit_test(read10_flags_and_lengths),
		cmocka_unit_test(rw12_16),     cmocka_unit_test(range),
		cmocka_unit_test(inquiry),     cmocka_unit_test(mode_sense),
		cmocka_unit_test(read_capacity), cmocka_unit_test(sync_and_sense),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
