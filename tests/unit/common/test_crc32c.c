/* CRC32C against the test vectors of RFC 3720 appendix B.4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/crc32c.h"

static void zeroes_and_ones(void **state)
{
	uint8_t buf[32];

	(void)state;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(crc32c(buf, sizeof(buf)), 0x8a9136aa);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(crc32c(buf, sizeof(buf)), 0x62a8ab43);
}

static void incrementing_and_decrementing(void **state)
{
	uint8_t buf[32];

	(void)state;
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(crc32c(buf, sizeof(buf)), 0x46dd794e);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	assert_int_equal(crc32c(buf, sizeof(buf)), 0x113fdb5c);
}

static void running_digest_equals_one_shot(void **state)
{
	uint8_t buf[1000];
	uint32_t crc = crc32c_init();

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	crc = crc32c_update(crc, buf, 3);
	crc = crc32c_update(crc, buf + 3, 500);
	crc = crc32c_update(crc, buf + 503, sizeof(buf) - 503);
	assert_int_equal(crc32c_final(crc), crc32c(buf, sizeof(buf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zeroes_and_ones),
		cmocka_unit_test(incrementing_and_decrementing),
		cmocka_unit_test(running_digest_equals_one_shot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
