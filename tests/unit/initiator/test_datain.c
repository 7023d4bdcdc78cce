/* The checks on Data-In PDUs before their data lands in a buffer. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "initiator/datain.h"

static struct iscsi_data hdr(uint32_t off, uint32_t len, uint32_t sn, uint8_t flags)
{
	struct iscsi_data d;

	memset(&d, 0, sizeof(d));
	d.opcode = ISCSI_OP_DATA_IN;
	d.flags = flags;
	iscsi_bhs_set_datalen(&d, len);
	d.offset = htonl(off);
	d.datasn = htonl(sn);
	return d;
}

static void in_order_sequence(void **state)
{
	struct ini_datain st;
	struct iscsi_data d;
	const char *why;
	uint32_t off;

	(void)state;
	ini_datain_init(&st, 8192, true);
	for (uint32_t i = 0; i < 4; i++) {
		uint8_t f = i == 3 ? ISCSI_FLAG_FINAL | ISCSI_DATAIN_STATUS : 0;
		d = hdr(i * 2048, 2048, i, f);
		assert_int_equal(ini_datain_check(&st, &d, 8192, &off, &why), 0);
		assert_int_equal(off, i * 2048);
		ini_datain_advance(&st, &d);
	}
	assert_int_equal(ini_datain_final(&st, 0, false, false, 0, &why), 0);
}

static void violations(void **state)
{
	struct ini_datain st;
	struct iscsi_data d;
	const char *why;
	uint32_t off;

	(void)state;
	ini_datain_init(&st, 4096, true);
	d = hdr(0, 4097, 0, 0);
	assert_int_equal(ini_datain_check(&st, &d, 65536, &off, &why), -1); /* beyond EDTL */
	d = hdr(4000, 200, 0, 0);
	assert_int_equal(ini_datain_check(&st, &d, 65536, &off, &why), -1); /* out of order */
	d = hdr(0, 2048, 1, 0);
	assert_int_equal(ini_datain_check(&st, &d, 65536, &off, &why), -1); /* DataSN gap */
	d = hdr(0, 2048, 0, 0);
	assert_int_equal(ini_datain_check(&st, &d, 1024, &off, &why), -1); /* > MRDSL */
	d = hdr(0, 2048, 0, ISCSI_DATAIN_STATUS);
	assert_int_equal(ini_datain_check(&st, &d, 65536, &off, &why), -1); /* S without F */
	d = hdr(0, 2048, 0, ISCSI_RSP_UNDERFLOW);
	assert_int_equal(ini_datain_check(&st, &d, 65536, &off, &why), -1); /* U without S */
	d = hdr(0xfffff000, 0x2000, 0, 0);
	st.next_off = 0xfffff000;
	assert_int_equal(ini_datain_check(&st, &d, 65536, &off, &why), -1); /* wraps */
	ini_datain_init(&st, 0, false);
	d = hdr(0, 16, 0, 0);
	assert_int_equal(ini_datain_check(&st, &d, 65536, &off, &why), -1); /* not a read */
}

static void final_checks(void **state)
{
	struct ini_datain st;
	struct iscsi_data d;
	const char *why;
	uint32_t off;

	(void)state;
	ini_datain_init(&st, 4096, true);
	d = hdr(0, 1024, 0, 0);
	assert_int_equal(ini_datain_check(&st, &d, 65536, &off, &why), 0);
	ini_datain_advance(&st, &d);
	/* GOOD without underflow must have brought everything */
	assert_int_equal(ini_datain_final(&st, 0, false, false, 0, &why), -1);
	assert_int_equal(ini_datain_final(&st, 0, true, false, 3072, &why), 0);
	assert_int_equal(ini_datain_final(&st, 0, true, false, 1000, &why), -1);
	assert_int_equal(ini_datain_final(&st, 0, true, false, 9999, &why), -1);
	assert_int_equal(ini_datain_final(&st, 0, true, true, 3072, &why), -1);
	/* CHECK CONDITION: whatever came is fine */
	assert_int_equal(ini_datain_final(&st, 2, false, false, 0, &why), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(in_order_sequence),
	    cmocka_unit_test(violations),
	    cmocka_unit_test(final_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
