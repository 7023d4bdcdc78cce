/* EXTENDED COPY (LID1) parameter lists: well-formed and malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/bytes.h"
#include "device/xcopy.h"
#include "scsi/sense.h"

static size_t put_target(uint8_t *d, uint8_t type)
{
	memset(d, 0, 32);
	d[0] = type;
	d[4] = 0x01;
	d[5] = 0x03; /* NAA, LU association */
	d[7] = 16;
	d[8] = 0x60;
	put_be24(d + 29, 512);
	return 32;
}

static size_t put_b2b(uint8_t *d, uint8_t type, uint16_t src, uint16_t dst, uint16_t n,
		      uint64_t slba, uint64_t dlba)
{
	memset(d, 0, 28);
	d[0] = type;
	put_be16(d + 2, 24);
	put_be16(d + 4, src);
	put_be16(d + 6, dst);
	put_be16(d + 10, n);
	put_be64(d + 12, slba);
	put_be64(d + 20, dlba);
	return 28;
}

/* A list of nt targets and ns segments; returns its length. */
static size_t build(uint8_t *p, unsigned nt, unsigned ns, uint8_t ttype, uint8_t stype)
{
	size_t off = 16, t0;

	memset(p, 0, 16);
	p[0] = 7;
	for (unsigned i = 0; i < nt; i++)
		off += put_target(p + off, ttype);
	t0 = off - 16;
	for (unsigned i = 0; i < ns; i++)
		off += put_b2b(p + off, stype, 0, 0, 8, 0, 100);
	put_be16(p + 2, (uint16_t)t0);
	put_be32(p + 8, (uint32_t)(off - 16 - t0));
	return off;
}

static void good_list(void **state)
{
	uint8_t p[1200];
	struct xcopy_req req;
	struct xcopy_err err;
	size_t n = build(p, 2, 3, 0xe4, 0x02);

	(void)state;
	assert_int_equal(xcopy_parse(p, n, &req, &err), 0);
	assert_int_equal(req.list_id, 7);
	assert_int_equal(req.ntargets, 2);
	assert_int_equal(req.nsegments, 3);
	assert_int_equal(req.t[0].naa_len, 16);
	assert_int_equal(req.t[0].block_size, 512);
	assert_int_equal(req.s[2].nblocks, 8);
	assert_int_equal(req.s[2].dst_lba, 100);
}

static void expect_err(const uint8_t *p, size_t n, uint8_t key, uint16_t asc)
{
	struct xcopy_req req;
	struct xcopy_err err;

	assert_int_equal(xcopy_parse(p, n, &req, &err), -1);
	assert_int_equal(err.key, key);
	assert_int_equal(err.asc_ascq, asc);
}

static void malformed_lists(void **state)
{
	uint8_t p[1200];
	size_t n;

	(void)state;
	/* Shorter than the header, or than the lengths it gives. */
	n = build(p, 1, 1, 0xe4, 0x02);
	expect_err(p, 15, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	expect_err(p, 16 + 31, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	expect_err(p, n - 1, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	/* Lengths that would overflow 32 bits. */
	put_be32(p + 8, 0xffffffffu);
	expect_err(p, n, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	/* Inline data is not supported. */
	n = build(p, 1, 1, 0xe4, 0x02);
	put_be32(p + 12, 4);
	expect_err(p, n + 4, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_PARAM_LIST);
	/* LIST ID USAGE 11b needs list id 0. */
	n = build(p, 1, 1, 0xe4, 0x02);
	p[1] = 0x18;
	expect_err(p, n, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_PARAM_LIST);
	/* Too many descriptors, unsupported ones. */
	n = build(p, XCOPY_MAX_TARGETS + 1, 1, 0xe4, 0x02);
	expect_err(p, n, SK_ILLEGAL_REQUEST, ASC_TOO_MANY_TARGET_DESCRIPTORS);
	n = build(p, 1, XCOPY_MAX_SEGMENTS + 1, 0xe4, 0x02);
	expect_err(p, n, SK_ILLEGAL_REQUEST, ASC_TOO_MANY_SEGMENT_DESCRIPTORS);
	n = build(p, 1, 1, 0xe0, 0x02);
	expect_err(p, n, SK_ILLEGAL_REQUEST, ASC_UNSUPPORTED_TARGET_DESCRIPTOR);
	n = build(p, 1, 1, 0xe4, 0x03);
	expect_err(p, n, SK_ILLEGAL_REQUEST, ASC_UNSUPPORTED_SEGMENT_DESCRIPTOR);
	/* Descriptor lists past the maximum descriptor list length. */
	n = build(p, 8, 30, 0xe4, 0x02);
	expect_err(p, n, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	/* A segment descriptor whose length is not 0x18, and a cut one. */
	n = build(p, 1, 1, 0xe4, 0x02);
	put_be16(p + 16 + 32 + 2, 0x20);
	expect_err(p, n, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	n = build(p, 1, 1, 0xe4, 0x02);
	put_be32(p + 8, 2);
	expect_err(p, n, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	/* A target list that is not whole descriptors. */
	n = build(p, 1, 1, 0xe4, 0x02);
	put_be16(p + 2, 30);
	expect_err(p, n, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
}

static void vpd_page(void **state)
{
	uint8_t buf[64];
	size_t n = xcopy_vpd_build(buf, sizeof(buf));

	(void)state;
	assert_int_equal(buf[1], 0x8f);
	assert_int_equal(get_be16(buf + 2) + 4, n);
	assert_int_equal(get_be16(buf + 4), 0x0001);
	assert_int_equal(buf[8], 7); /* two commands, 1 and 2 service actions */
	assert_int_equal(buf[9], 0x83);
	assert_int_equal(buf[12], 0x84);
	assert_int_equal(xcopy_vpd_build(buf, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(good_list),
	    cmocka_unit_test(malformed_lists),
	    cmocka_unit_test(vpd_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
