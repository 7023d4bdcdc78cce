/* CRC32C (Castagnoli) as iSCSI's header and data digests use it (RFC 7143
 * section 13.1), computed with the CPU's instructions through ISA-L. */
#ifndef LUNA_COMMON_CRC32C_H
#define LUNA_COMMON_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Start a running digest. */
static inline uint32_t crc32c_init(void)
{
	return 0xffffffffu;
}

/* Add bytes to a running digest. */
uint32_t crc32c_update(uint32_t crc, const void *buf, size_t len);

/* The final digest value, in host order; it goes on the wire little-endian. */
static inline uint32_t crc32c_final(uint32_t crc)
{
	return crc ^ 0xffffffffu;
}

/* The digest of one buffer. */
uint32_t crc32c(const void *buf, size_t len);

/* Combining.  CRC32C's register is linear in the bytes and in its starting
 * value, so a running digest followed by a block B equals the digest moved
 * on past as many zero bytes, xor B's bare CRC (crc32c_update from 0).  A
 * store that keeps the bare CRC of each of its CRC32C_BLOCK-byte blocks can
 * so give the digest of data it already checksummed without reading it. */
#define CRC32C_BLOCK 4096u

/* The running digest crc followed by a CRC32C_BLOCK-byte block whose bare
 * CRC is block_crc. */
uint32_t crc32c_append_block(uint32_t crc, uint32_t block_crc);

#endif
