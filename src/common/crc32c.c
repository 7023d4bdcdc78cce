#include "common/crc32c.h"

#include <isa-l/crc.h>
#include <limits.h>
#include <pthread.h>

uint32_t crc32c_update(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	/* ISA-L takes an int length; feed very large buffers in pieces. */
	while (len > 0) {
		int n = len > (size_t)INT_MAX ? INT_MAX : (int)len;
		crc = crc32_iscsi((unsigned char *)p, n, crc);
		p += n;
		len -= (size_t)n;
	}
	return crc;
}

uint32_t crc32c(const void *buf, size_t len)
{
	return crc32c_final(crc32c_update(crc32c_init(), buf, len));
}

/* Moving a register past CRC32C_BLOCK zero bytes is a linear map of its 32
 * bits; it is kept as four tables, one per byte of the register, each
 * entry the image of that byte's value. */
static uint32_t shift_table[4][256];
static pthread_once_t shift_once = PTHREAD_ONCE_INIT;

static void shift_table_build(void)
{
	static const uint8_t zeroes[CRC32C_BLOCK];
	uint32_t bit_image[32];

	for (int i = 0; i < 32; i++)
		bit_image[i] = crc32c_update(1u << i, zeroes, sizeof(zeroes));
	for (int byte = 0; byte < 4; byte++) {
		for (unsigned v = 0; v < 256; v++) {
			uint32_t img = 0;
			for (int b = 0; b < 8; b++)
				if (v & (1u << b))
					img ^= bit_image[8 * byte + b];
			shift_table[byte][v] = img;
		}
	}
}

uint32_t crc32c_append_block(uint32_t crc, uint32_t block_crc)
{
	pthread_once(&shift_once, shift_table_build);
	return shift_table[0][crc & 0xff] ^ shift_table[1][(crc >> 8) & 0xff] ^
	       shift_table[2][(crc >> 16) & 0xff] ^ shift_table[3][crc >> 24] ^ block_crc;
}
