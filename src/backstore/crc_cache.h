/* The CRC32C of each 4 KiB block of a memory store, kept from the first
 * time a block is checksummed until it changes.  iSCSI's data digest of a
 * read is then combined from the stored values (crc32c_append_block)
 * instead of read through the data again: data read more than once is
 * checksummed once.
 *
 * Any thread may read; writers call crc_cache_forget() after changing
 * bytes.  A block being checksummed while it is written is never left
 * stored: the writer's forget wipes it, or the checksum's store fails. */
#ifndef LUNA_BACKSTORE_CRC_CACHE_H
#define LUNA_BACKSTORE_CRC_CACHE_H

#include <stdint.h>

struct crc_cache;

/* A cache for a store of size bytes; NULL if no memory could be reserved
 * (the store then works without one). */
struct crc_cache *crc_cache_new(uint64_t size);
void crc_cache_free(struct crc_cache *cc);

/* Extend a running CRC32C (crc32c_update's state) over base[off, off +
 * len), where base is the start of the store's bytes. */
uint32_t crc_cache_update(struct crc_cache *cc, const uint8_t *base, uint64_t off, uint64_t len,
			  uint32_t crc);

/* The bytes of [off, off + len) have changed: forget their blocks. */
void crc_cache_forget(struct crc_cache *cc, uint64_t off, uint64_t len);

#endif
