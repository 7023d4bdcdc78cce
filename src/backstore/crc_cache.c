/* Each block has one 64-bit word: its state, a generation and the CRC.
 *
 *   NONE   nothing known
 *   BUSY   a reader is checksumming the block and will store the result
 *   KNOWN  the block's bare CRC is in the low 32 bits
 *
 * A reader turns NONE into BUSY before it reads the block, and BUSY into
 * KNOWN (same generation) when done.  A writer, after changing the bytes,
 * turns any BUSY or KNOWN word into NONE with the next generation: a
 * checksum started before or during the write then fails to store.  A
 * writer that sees NONE leaves it: a reader that makes it BUSY later reads
 * the new bytes (the writer's fence orders its stores before its look,
 * the reader's compare-and-swap its own look before its reads). */
#include "backstore/crc_cache.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "common/crc32c.h"
#include "common/util.h"

enum { BLOCK_NONE = 0, BLOCK_BUSY = 1, BLOCK_KNOWN = 2 };

#define STATE_SHIFT 32
#define GEN_SHIFT 34

struct crc_cache {
	_Atomic uint64_t *word; /* one per block, zero (NONE) until touched */
	uint64_t nblocks;
	size_t map_len;
};

static uint64_t word_make(uint64_t gen, unsigned state, uint32_t crc)
{
	return gen << GEN_SHIFT | (uint64_t)state << STATE_SHIFT | crc;
}

static unsigned word_state(uint64_t w)
{
	return (unsigned)(w >> STATE_SHIFT) & 3;
}

static uint64_t word_gen(uint64_t w)
{
	return w >> GEN_SHIFT;
}

struct crc_cache *crc_cache_new(uint64_t size)
{
	struct crc_cache *cc = xcalloc(1, sizeof(*cc));

	cc->nblocks = size / CRC32C_BLOCK;
	cc->map_len = (size_t)MAX(cc->nblocks, 1) * sizeof(*cc->word);
	/* Reserved, not allocated: a thin store's table costs memory only
	 * where blocks are read with a digest. */
	cc->word = mmap(NULL, cc->map_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (cc->word == MAP_FAILED) {
		free(cc);
		return NULL;
	}
	return cc;
}

void crc_cache_free(struct crc_cache *cc)
{
	if (cc == NULL)
		return;
	munmap((void *)cc->word, cc->map_len);
	free(cc);
}

static void prefetch_block(const uint8_t *p)
{
	for (unsigned i = 0; i < CRC32C_BLOCK; i += 64)
		__builtin_prefetch(p + i, 0, 0);
}

/* The bare CRC of block g, stored or computed (and stored if no writer
 * came by meanwhile).  next is the block after it, to prefetch: checksums
 * of single blocks from memory run at a third of the speed otherwise. */
static uint32_t block_crc(struct crc_cache *cc, const uint8_t *block, uint64_t g,
			  const uint8_t *next)
{
	_Atomic uint64_t *w = &cc->word[g];
	uint64_t cur = atomic_load_explicit(w, memory_order_acquire);
	uint64_t busy = word_make(word_gen(cur), BLOCK_BUSY, 0);
	uint32_t crc;

	if (word_state(cur) == BLOCK_KNOWN)
		return (uint32_t)cur;
	if (next)
		prefetch_block(next);
	/* Another reader is at it, or a writer came by since the look: just
	 * compute it. */
	if (word_state(cur) != BLOCK_NONE || !atomic_compare_exchange_strong(w, &cur, busy))
		return crc32c_update(0, block, CRC32C_BLOCK);
	crc = crc32c_update(0, block, CRC32C_BLOCK);
	atomic_compare_exchange_strong(w, &busy, word_make(word_gen(busy), BLOCK_KNOWN, crc));
	return crc;
}

uint32_t crc_cache_update(struct crc_cache *cc, const uint8_t *base, uint64_t off, uint64_t len,
			  uint32_t crc)
{
	uint64_t end = off + len;
	uint64_t first = ALIGN_UP(off, (uint64_t)CRC32C_BLOCK) / CRC32C_BLOCK;
	uint64_t last = end / CRC32C_BLOCK; /* blocks [first, last) are whole */

	if (cc)
		last = MIN(last, cc->nblocks);
	if (cc == NULL || first >= last)
		return crc32c_update(crc, base + off, len);
	crc = crc32c_update(crc, base + off, first * CRC32C_BLOCK - off);
	for (uint64_t g = first; g < last; g++) {
		const uint8_t *block = base + g * CRC32C_BLOCK;
		const uint8_t *next = g + 1 < last ? block + CRC32C_BLOCK : NULL;
		crc = crc32c_append_block(crc, block_crc(cc, block, g, next));
	}
	return crc32c_update(crc, base + last * CRC32C_BLOCK, end - last * CRC32C_BLOCK);
}

void crc_cache_forget(struct crc_cache *cc, uint64_t off, uint64_t len)
{
	uint64_t end;

	if (cc == NULL || len == 0)
		return;
	end = MIN((off + len + CRC32C_BLOCK - 1) / CRC32C_BLOCK, cc->nblocks);
	atomic_thread_fence(memory_order_seq_cst);
	for (uint64_t g = off / CRC32C_BLOCK; g < end; g++) {
		_Atomic uint64_t *w = &cc->word[g];
		uint64_t cur = atomic_load_explicit(w, memory_order_relaxed);

		while (word_state(cur) != BLOCK_NONE &&
		       !atomic_compare_exchange_weak(w, &cur,
						     word_make(word_gen(cur) + 1, BLOCK_NONE, 0)))
			;
	}
}
