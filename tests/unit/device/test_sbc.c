/* The disk device type, driven through scsi_cmd_submit() against a RAM
 * fake backstore. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../scsi/fake_bs.h"
#include "common/bytes.h"
#include "scsi/sense.h"

#define BLOCKS 64

struct fixture {
	struct scsi_lu *lu;
	struct scsi_nexus *nx;
	struct test_cmd tc;
};

static int setup_thick(void **state)
{
	static struct fixture f;

	f.lu = fake_lu_new("disk0", BLOCKS, false, false);
	f.nx = fake_nexus_new(f.lu, 0, false);
	*state = &f;
	return 0;
}

static int setup_thin(void **state)
{
	static struct fixture f;

	f.lu = fake_lu_new("thin0", BLOCKS, true, false);
	f.nx = fake_nexus_new(f.lu, 0, false);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	scsi_nexus_free(f->nx);
	scsi_lu_put(f->lu);
	return 0;
}

/* Run a CDB on LUN 0; the result stays in f->tc until the next run. */
static struct scsi_cmd *run(struct fixture *f, const uint8_t *cdb, unsigned len,
			    const void *out, uint32_t out_len)
{
	if (f->tc.cmd.nexus)
		scsi_cmd_release(&f->tc.cmd);
	test_cmd_run(&f->tc, f->nx, 0, cdb, len, out, out_len);
	assert_int_equal(f->tc.done_calls, 1);
	return &f->tc.cmd;
}

static void release(struct fixture *f)
{
	scsi_cmd_release(&f->tc.cmd);
	memset(&f->tc, 0, sizeof(f->tc));
}

static void expect_sense(const struct scsi_cmd *c, unsigned key, unsigned asc)
{
	assert_int_equal(c->status, SAM_STAT_CHECK_CONDITION);
	assert_int_equal(test_sense_key(c), key);
	assert_int_equal(test_sense_asc(c), asc);
}

static void standard_inquiry(void **state)
{
	struct fixture *f = *state;
	uint8_t cdb[6] = {0x12, 0, 0, 0, 255, 0};
	struct scsi_cmd *c = run(f, cdb, 6, NULL, 0);

	assert_int_equal(c->status, SAM_STAT_GOOD);
	assert_int_equal(c->in.len, 96);
	assert_int_equal(c->in.data[0], 0x00);
	assert_int_equal(c->in.data[2], 0x06);
	assert_int_equal(c->in.data[3], 0x12);
	assert_int_equal(c->in.data[4], 91);
	assert_int_equal(c->in.data[7], 0x02);
	assert_memory_equal(c->in.data + 8, "LUNA    ", 8);
	assert_memory_equal(c->in.data + 16, "test disk       ", 16);
	assert_int_equal(get_be16(c->in.data + 58), 0x00a0);
	assert_int_equal(get_be16(c->in.data + 60), 0x0960);
	assert_int_equal(get_be16(c->in.data + 62), 0x0460);
	assert_int_equal(get_be16(c->in.data + 64), 0x04c0);

	cdb[4] = 5; /* allocation length honoured exactly */
	c = run(f, cdb, 6, NULL, 0);
	assert_int_equal(c->in.len, 5);
	cdb[4] = 0;
	c = run(f, cdb, 6, NULL, 0);
	assert_int_equal(c->status, SAM_STAT_GOOD);
	assert_int_equal(c->in.len, 0);
	release(f);
}

static void vpd_pages(void **state)
{
	struct fixture *f = *state;
	uint8_t cdb[6] = {0x12, 0x01, 0x00, 0, 255, 0};
	struct scsi_cmd *c = run(f, cdb, 6, NULL, 0);
	const uint8_t *d;

	assert_int_equal(c->status, SAM_STAT_GOOD);
	assert_int_equal(c->in.len, 4 + 6);
	assert_memory_equal(c->in.data + 4, "\x00\x80\x83\x8f\xb0\xb1", 6);

	cdb[2] = 0x80;
	c = run(f, cdb, 6, NULL, 0);
	assert_int_equal(c->in.data[1], 0x80);
	assert_int_equal(get_be16(c->in.data + 2), strlen(f->lu->serial));

	cdb[2] = 0x83;
	c = run(f, cdb, 6, NULL, 0);
	d = c->in.data;
	assert_int_equal(d[1], 0x83);
	assert_int_equal(get_be16(d + 2) + 4, c->in.len);
	assert_int_equal(d[4], 0x01);	     /* binary */
	assert_int_equal(d[5], 0x03);	     /* LU, NAA */
	assert_int_equal(d[7], 16);
	assert_int_equal(d[8] >> 4, 0x6);   /* NAA IEEE Registered Extended */
	/* The relative target port designator follows the T10 one. */
	d += 4 + 20;
	d += 4 + d[3];
	assert_int_equal(d[0], 0x51);
	assert_int_equal(d[1], 0x94);
	assert_int_equal(get_be16(d + 6), f->nx->rel_port_id);

	cdb[2] = 0xb0;
	c = run(f, cdb, 6, NULL, 0);
	assert_int_equal(get_be16(c->in.data + 2), 0x3c);
	assert_int_equal(get_be32(c->in.data + 8), (32u << 20) / 512);

	cdb[2] = 0xb1;
	c = run(f, cdb, 6, NULL, 0);
	assert_int_equal(get_be16(c->in.data + 4), 1);

	cdb[2] = 0xb2; /* thick LU: no provisioning page */
	c = run(f, cdb, 6, NULL, 0);
	expect_sense(c, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	assert_int_equal(c->sense[15], 0xc0);
	assert_int_equal(c->sense[17], 2);
	cdb[2] = 0xc5;
	c = run(f, cdb, 6, NULL, 0);
	expect_sense(c, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	release(f);
}

static void thin_lu(void **state)
{
	struct fixture *f = *state;
	uint8_t inq[6] = {0x12, 0x01, 0xb2, 0, 255, 0};
	uint8_t rc16[16] = {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0};
	struct scsi_cmd *c = run(f, inq, 6, NULL, 0);

	assert_int_equal(c->status, SAM_STAT_GOOD);
	assert_int_equal(c->in.data[6] & 7, 2);
	c = run(f, rc16, 16, NULL, 0);
	assert_int_equal(c->in.len, 32);
	assert_int_equal(get_be64(c->in.data), BLOCKS - 1);
	assert_int_equal(get_be32(c->in.data + 8), 512);
	assert_int_equal(c->in.data[14], 0xc0);
	release(f);
}

static void read_capacity(void **state)
{
	struct fixture *f = *state;
	uint8_t rc10[10] = {0x25};
	uint8_t rc16[16] = {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0};
	struct scsi_cmd *c = run(f, rc10, 10, NULL, 0);

	assert_int_equal(c->status, SAM_STAT_GOOD);
	assert_int_equal(get_be32(c->in.data), BLOCKS - 1);
	assert_int_equal(get_be32(c->in.data + 4), 512);
	c = run(f, rc16, 16, NULL, 0);
	assert_int_equal(c->in.len, 12);
	assert_int_equal(c->in.data[14 - 14 + 11], 0); /* within what was asked */

	/* Too large for READ CAPACITY (10). */
	atomic_store(&f->lu->nblocks, 0x200000000ull);
	c = run(f, rc10, 10, NULL, 0);
	assert_int_equal(get_be32(c->in.data), 0xffffffffu);
	atomic_store(&f->lu->nblocks, BLOCKS);

	rc16[1] = 0x1f; /* unknown service action */
	c = run(f, rc16, 16, NULL, 0);
	expect_sense(c, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	release(f);
}

static void mode_sense(void **state)
{
	struct fixture *f = *state;
	uint8_t ms6[6] = {0x1a, 0x00, 0x3f, 0x00, 255, 0};
	uint8_t ms10[10] = {0x5a, 0x10, 0x08, 0, 0, 0, 0, 0x01, 0x00, 0};
	struct scsi_cmd *c = run(f, ms6, 6, NULL, 0);

	assert_int_equal(c->status, SAM_STAT_GOOD);
	/* header 4 + descriptor 8 + pages 12 + 20 + 12 + 12 */
	assert_int_equal(c->in.len, 68);
	assert_int_equal(c->in.data[0], 67);
	assert_int_equal(c->in.data[2], 0x10); /* DPOFUA, not WP */
	assert_int_equal(c->in.data[3], 8);
	assert_int_equal(get_be32(c->in.data + 4), BLOCKS);
	assert_int_equal(get_be24(c->in.data + 9), 512);
	assert_int_equal(c->in.data[12], 0x01);
	assert_int_equal(c->in.data[24], 0x08);
	assert_int_equal(c->in.data[26] & 0x04, 0x04); /* WCE */
	assert_int_equal(c->in.data[44], 0x0a);
	assert_int_equal(c->in.data[56], 0x1c);

	ms6[1] = 0x08; /* DBD */
	ms6[4] = 10;   /* cut short, but the length field tells all */
	c = run(f, ms6, 6, NULL, 0);
	assert_int_equal(c->in.len, 10);
	assert_int_equal(c->in.data[0], 59);
	assert_int_equal(c->in.data[3], 0);

	ms6[2] = 0xc8; /* saved values */
	c = run(f, ms6, 6, NULL, 0);
	expect_sense(c, SK_ILLEGAL_REQUEST, ASC_SAVING_PARAMS_UNSUP);
	ms6[2] = 0x05; /* no such page */
	c = run(f, ms6, 6, NULL, 0);
	expect_sense(c, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	ms6[2] = 0x08;
	ms6[3] = 0x01; /* no such subpage */
	c = run(f, ms6, 6, NULL, 0);
	expect_sense(c, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	assert_int_equal(c->sense[17], 3);

	c = run(f, ms10, 10, NULL, 0); /* LLBAA: long descriptor */
	assert_int_equal(c->status, SAM_STAT_GOOD);
	assert_int_equal(get_be16(c->in.data), 8 + 16 + 20 - 2);
	assert_int_equal(c->in.data[4], 0x01);
	assert_int_equal(get_be16(c->in.data + 6), 16);
	assert_int_equal(get_be64(c->in.data + 8), BLOCKS);
	ms10[2] = 0x48; /* changeable values of the caching page */
	c = run(f, ms10, 10, NULL, 0);
	assert_int_equal(c->in.data[8 + 16 + 2], 0x05); /* WCE, RCD */
	release(f);
}

static void write_protect(void **state)
{
	struct fixture *f = *state;
	struct scsi_nexus *wp = fake_nexus_new(f->lu, 0, true);
	uint8_t ms6[6] = {0x1a, 0x08, 0x3f, 0, 255, 0};
	uint8_t w10[10] = {0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	uint8_t data[512] = {0};
	struct test_cmd tc;

	test_cmd_run(&tc, wp, 0, w10, 10, data, 512);
	expect_sense(&tc.cmd, SK_DATA_PROTECT, ASC_WRITE_PROTECTED);
	scsi_cmd_release(&tc.cmd);
	test_cmd_run(&tc, wp, 0, ms6, 6, NULL, 0);
	assert_int_equal(tc.cmd.in.data[2] & 0x80, 0x80);
	scsi_cmd_release(&tc.cmd);
	scsi_nexus_free(wp);

	f->lu->readonly = true;
	expect_sense(run(f, w10, 10, data, 512), SK_DATA_PROTECT, ASC_WRITE_PROTECTED);
	f->lu->readonly = false;
	assert_int_equal(run(f, w10, 10, data, 512)->status, SAM_STAT_GOOD);
	release(f);
}

static void write_then_read(void **state)
{
	struct fixture *f = *state;
	uint8_t w16[16] = {0x8a, 0x08, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 2, 0, 0};
	uint8_t r10[10] = {0x28, 0, 0, 0, 0, 10, 0, 0, 2, 0};
	uint8_t r6[6] = {0x08, 0, 0, 10, 1, 0};
	uint8_t data[1024];
	struct scsi_cmd *c;

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	c = run(f, w16, 16, data, sizeof(data));
	assert_int_equal(c->status, SAM_STAT_GOOD);
	assert_int_equal(c->out_needed, 1024);
	assert_int_equal(fake_of(f->lu)->fua_writes, 1);
	c = run(f, r10, 10, NULL, 0);
	assert_int_equal(c->status, SAM_STAT_GOOD);
	assert_int_equal(c->in.len, 1024);
	assert_true(c->in.owned);
	assert_memory_equal(c->in.data, data, 1024);

	fake_of(f->lu)->use_map = true; /* a memory store: zero copy */
	c = run(f, r6, 6, NULL, 0);
	assert_int_equal(c->in.len, 512);
	assert_false(c->in.owned);
	assert_memory_equal(c->in.data, data, 512);
	fake_of(f->lu)->use_map = false;
	release(f);
}

static void short_data_out(void **state)
{
	struct fixture *f = *state;
	uint8_t w10[10] = {0x2a, 0, 0, 0, 0, 0, 0, 0, 2, 0};
	uint8_t data[1024];
	struct scsi_cmd *c;
	uint8_t *mem = fake_of(f->lu)->mem;

	memset(mem, 'a', 1024);
	memset(data, 'b', sizeof(data));
	/* Two blocks in the CDB, one block arrived: GOOD, one block written. */
	c = run(f, w10, 10, data, 512);
	assert_int_equal(c->status, SAM_STAT_GOOD);
	assert_int_equal(c->out_needed, 1024);
	assert_int_equal(mem[511], 'b');
	assert_int_equal(mem[512], 'a');
	/* Part of a block: nothing written. */
	memset(mem, 'a', 1024);
	c = run(f, w10, 10, data, 200);
	assert_int_equal(c->status, SAM_STAT_GOOD);
	assert_int_equal(mem[0], 'a');
	/* More than the CDB names: only the CDB's blocks are written. */
	w10[8] = 1;
	c = run(f, w10, 10, data, 1024);
	assert_int_equal(c->out_needed, 512);
	assert_int_equal(mem[0], 'b');
	assert_int_equal(mem[512], 'a');
	release(f);
}

static void out_of_range_and_bad_fields(void **state)
{
	struct fixture *f = *state;
	uint8_t r10[10] = {0x28, 0, 0, 0, 0, BLOCKS - 1, 0, 0, 2, 0};
	uint8_t r16[16] = {0x88, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0, 0, 0, 2, 0, 0};
	uint8_t big[16] = {0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0, 0, 0, 0};
	uint8_t r10z[10] = {0x28, 0, 0, 0, 0, BLOCKS, 0, 0, 0, 0};

	expect_sense(run(f, r10, 10, NULL, 0), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	expect_sense(run(f, r16, 16, NULL, 0), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	/* 0 blocks at the very end: fine; one past: out of range. */
	assert_int_equal(run(f, r10z, 10, NULL, 0)->status, SAM_STAT_GOOD);
	r10z[5] = BLOCKS + 1;
	expect_sense(run(f, r10z, 10, NULL, 0), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	r10[5] = 0;
	r10[1] = 0x20; /* RDPROTECT without protection information */
	expect_sense(run(f, r10, 10, NULL, 0), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	/* A length larger than the whole LU is out of range first. */
	expect_sense(run(f, big, 16, NULL, 0), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	release(f);
}

static void sync_cache_and_errors(void **state)
{
	struct fixture *f = *state;
	uint8_t s10[10] = {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	uint8_t s16[16] = {0x91, 0, 0, 0, 0, 0, 0, 0, 0, BLOCKS, 0, 0, 0, 1, 0, 0};
	uint8_t r10[10] = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	uint8_t w10[10] = {0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	uint8_t data[512] = {0};
	uint8_t bad[6] = {0xd5};

	assert_int_equal(run(f, s10, 10, NULL, 0)->status, SAM_STAT_GOOD);
	assert_int_equal(fake_of(f->lu)->flushes, 1);
	expect_sense(run(f, s16, 16, NULL, 0), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	fake_of(f->lu)->fail = -EIO;
	expect_sense(run(f, r10, 10, NULL, 0), SK_MEDIUM_ERROR, ASC_READ_ERROR);
	expect_sense(run(f, w10, 10, data, 512), SK_MEDIUM_ERROR, ASC_WRITE_ERROR);
	fake_of(f->lu)->fail = -ENOSPC;
	expect_sense(run(f, w10, 10, data, 512), SK_DATA_PROTECT, 0x2707);
	fake_of(f->lu)->fail = 0;
	expect_sense(run(f, bad, 6, NULL, 0), SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
	release(f);
}

static void not_ready(void **state)
{
	struct fixture *f = *state;
	uint8_t tur[6] = {0};

	f->lu->medium_present = false;
	expect_sense(run(f, tur, 6, NULL, 0), SK_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	f->lu->medium_present = true;
	assert_int_equal(run(f, tur, 6, NULL, 0)->status, SAM_STAT_GOOD);
	release(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(standard_inquiry, setup_thick, teardown),
		cmocka_unit_test_setup_teardown(vpd_pages, setup_thick, teardown),
		cmocka_unit_test_setup_teardown(thin_lu, setup_thin, teardown),
		cmocka_unit_test_setup_teardown(read_capacity, setup_thick, teardown),
		cmocka_unit_test_setup_teardown(mode_sense, setup_thick, teardown),
		cmocka_unit_test_setup_teardown(write_protect, setup_thick, teardown),
		cmocka_unit_test_setup_teardown(write_then_read, setup_thick, teardown),
		cmocka_unit_test_setup_teardown(short_data_out, setup_thick, teardown),
		cmocka_unit_test_setup_teardown(out_of_range_and_bad_fields, setup_thick,
						teardown),
		cmocka_unit_test_setup_teardown(sync_cache_and_errors, setup_thick, teardown),
		cmocka_unit_test_setup_teardown(not_ready, setup_thick, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
