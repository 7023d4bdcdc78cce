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

/* A running digest followed by a 4 KiB block equals the digest moved on
 * by crc32c_append_block with the block's bare CRC, from any state. */
static void append_block_equals_reading_it(void **state)
{
	static uint8_t buf[3 * CRC32C_BLOCK + 100];
	uint32_t seed = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
	for (size_t head = 0; head < 100; head += 33) {
		uint32_t want = crc32c_update(crc32c_init(), buf, head + 2 * CRC32C_BLOCK);
		uint32_t got = crc32c_update(crc32c_init(), buf, head);

		got = crc32c_append_block(got, crc32c_update(0, buf + head, CRC32C_BLOCK));
		got = crc32c_append_block(
		    got, crc32c_update(0, buf + head + CRC32C_BLOCK, CRC32C_BLOCK));
		assert_int_equal(got, want);
	}
	/* Every single bit of the state moves on correctly (the tables are
	 * built bit by bit). */
	for (int bit = 0; bit < 32; bit++) {
		static const uint8_t zeroes[CRC32C_BLOCK];
		uint32_t s = 1u << bit;
		assert_int_equal(crc32c_append_block(s, 0), crc32c_update(s, zeroes, CRC32C_BLOCK));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(zeroes_and_ones),
	    cmocka_unit_test(incrementing_and_decrementing),
	    cmocka_unit_test(running_digest_equals_one_shot),
	    cmocka_unit_test(append_block_equals_reading_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
