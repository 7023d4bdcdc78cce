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

#endif
