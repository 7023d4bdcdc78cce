/* Sense data building: fixed and descriptor formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "scsi/sense.h"

static void fixed_basic(void **state)
{
	uint8_t b[64];
	int n;

	(void)state;
	memset(b, 0xee, sizeof(b));
	n = scsi_sense_build(b, sizeof(b), false, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, false,
			     0, NULL);
	assert_int_equal(n, 18);
	assert_int_equal(b[0], 0x70);
	assert_int_equal(b[2], 0x05);
	assert_int_equal(b[7], 10);
	assert_int_equal(b[12], 0x21);
	assert_int_equal(b[13], 0x00);
	assert_int_equal(b[15], 0);
}

static void fixed_info_and_sks(void **state)
{
	uint8_t b[32], sks[3];
	int n;

	(void)state;
	scsi_sense_field_pointer(sks, true, 2, 5);
	assert_int_equal(sks[0], 0x80 | 0x40 | 0x08 | 5);
	assert_int_equal(sks[1], 0);
	assert_int_equal(sks[2], 2);
	n = scsi_sense_build(b, sizeof(b), false, SK_MISCOMPARE, ASC_MISCOMPARE_DURING_VERIFY,
			     true, 0x1234, sks);
	assert_int_equal(n, 18);
	assert_int_equal(b[0], 0xf0); /* VALID */
	assert_int_equal(b[3] << 24 | b[4] << 16 | b[5] << 8 | b[6], 0x1234);
	assert_memory_equal(b + 15, sks, 3);
}

static void fixed_info_too_large(void **state)
{
	uint8_t b[32];

	(void)state;
	scsi_sense_build(b, sizeof(b), false, SK_MEDIUM_ERROR, ASC_READ_ERROR, true,
			 0x100000000ull, NULL);
	assert_int_equal(b[0], 0x70); /* VALID clear rather than a truncated value */
	assert_int_equal(b[3] | b[4] | b[5] | b[6], 0);
}

static void descriptor_format(void **state)
{
	uint8_t b[64], sks[3];
	int n;

	(void)state;
	n = scsi_sense_build(b, sizeof(b), true, SK_UNIT_ATTENTION, ASC_CAPACITY_CHANGED, false, 0,
			     NULL);
	assert_int_equal(n, 8);
	assert_int_equal(b[0], 0x72);
	assert_int_equal(b[1], 0x06);
	assert_int_equal(b[2], 0x2a);
	assert_int_equal(b[3], 0x09);
	assert_int_equal(b[7], 0);

	scsi_sense_field_pointer(sks, true, 1, -1);
	n = scsi_sense_build(b, sizeof(b), true, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB,
			     true, 0x1122334455667788ull, sks);
	assert_int_equal(n, 8 + 12 + 8);
	assert_int_equal(b[7], 20);
	assert_int_equal(b[8], 0x00);
	assert_int_equal(b[9], 0x0a);
	assert_int_equal(b[10], 0x80);
	assert_int_equal(b[12], 0x11);
	assert_int_equal(b[19], 0x88);
	assert_int_equal(b[20], 0x02);
	assert_int_equal(b[21], 0x06);
	assert_int_equal(b[24], 0xc0); /* SKSV, C/D, no bit pointer */
	assert_int_equal(b[26], 1);
}

static void truncated_buffer(void **state)
{
	uint8_t b[8];

	(void)state;
	memset(b, 0, sizeof(b));
	assert_int_equal(scsi_sense_build(b, 4, false, SK_NOT_READY, ASC_MEDIUM_NOT_PRESENT, false,
					  0, NULL),
			 4);
	assert_int_equal(b[0], 0x70);
	assert_int_equal(b[4], 0);
	assert_int_equal(scsi_sense_build(b, 0, false, SK_NOT_READY, 0, false, 0, NULL), 0);
}

/* PROGRESS INDICATION (SPC-4 4.5.2.4.4): SKSV and 16 bits of progress, in
 * both formats. */
static void progress_indication(void **state)
{
	uint8_t sks[3], b[64];
	int n;

	(void)state;
	scsi_sense_progress_sks(sks, 0x8000);
	assert_int_equal(sks[0], 0x80);
	assert_int_equal(sks[1], 0x80);
	assert_int_equal(sks[2], 0x00);
	n = scsi_sense_build(b, sizeof(b), false, SK_NOT_READY, ASC_LUN_NOT_READY_SANITIZE, false,
			     0, sks);
	assert_int_equal(n, 18);
	assert_int_equal(b[2], SK_NOT_READY);
	assert_int_equal(b[12], 0x04);
	assert_int_equal(b[13], 0x1b);
	assert_int_equal(b[15], 0x80);
	assert_int_equal(b[16], 0x80);
	assert_int_equal(b[17], 0x00);
	n = scsi_sense_build(b, sizeof(b), true, SK_NOT_READY, ASC_LUN_NOT_READY_SANITIZE, false,
			     0, sks);
	assert_int_equal(n, 16);
	assert_int_equal(b[8], 0x02); /* sense key specific descriptor */
	assert_int_equal(b[12], 0x80);
	assert_int_equal(b[13], 0x80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixed_basic),	    cmocka_unit_test(fixed_info_and_sks),
		cmocka_unit_test(fixed_info_too_large), cmocka_unit_test(descriptor_format),
		cmocka_unit_test(truncated_buffer), cmocka_unit_test(progress_indication),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
