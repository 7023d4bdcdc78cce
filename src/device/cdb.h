/* CDB parsers: pure functions from the bytes of a CDB to what it asks for,
 * with the checks of reserved and unsupported fields.  No globals, no LU:
 * range checks against the capacity are separate (cdb_range_ok). */
#ifndef LUNA_DEVICE_CDB_H
#define LUNA_DEVICE_CDB_H

#include <stdbool.h>
#include <stdint.h>

/* Why a CDB was refused: an additional sense code (ILLEGAL REQUEST) and
 * the field pointer for the sense-key specific bytes (bit -1: none). */
struct cdb_err {
	uint16_t asc_ascq;
	uint16_t byte;
	int8_t bit;
};

/* READ/WRITE 6/10/12/16 (and the write-and-verify family's layout). */
struct cdb_rw {
	uint64_t lba;
	uint32_t nblocks;
	bool fua;
	bool dpo;
	uint8_t protect; /* RDPROTECT / WRPROTECT */
	uint8_t group;
};

struct cdb_write_same {
	uint64_t lba;
	uint32_t nblocks;
	uint8_t protect;
	bool anchor, unmap, ndob;
};

struct cdb_inquiry {
	bool evpd;
	uint8_t page;
	uint16_t alloc;
};

struct cdb_mode_sense {
	bool dbd;
	bool llbaa;
	uint8_t pc; /* 0 current, 1 changeable, 2 default, 3 saved */
	uint8_t page;
	uint8_t subpage;
	uint16_t alloc;
};

struct cdb_capacity {
	uint64_t lba;
	bool pmi;
	uint32_t alloc; /* READ CAPACITY (16) only */
};

struct cdb_sync {
	uint64_t lba;
	uint32_t nblocks;
	bool immed;
};

struct cdb_request_sense {
	bool desc;
	uint8_t alloc;
};

/* The length of a CDB with this operation code (SAM-5 group codes); 0 if
 * the group is reserved or vendor specific. */
unsigned cdb_length(uint8_t opcode);

/* Is the CDB at least as long as its operation code needs, with no NACA
 * (ACA is not supported) in its CONTROL byte? */
int cdb_check_common(const uint8_t *cdb, unsigned len, struct cdb_err *err);

int cdb_parse_rw(const uint8_t *cdb, unsigned len, struct cdb_rw *rw, struct cdb_err *err);
int cdb_parse_inquiry(const uint8_t *cdb, unsigned len, struct cdb_inquiry *q,
		      struct cdb_err *err);
int cdb_parse_mode_sense(const uint8_t *cdb, unsigned len, struct cdb_mode_sense *m,
			 struct cdb_err *err);
int cdb_parse_read_capacity(const uint8_t *cdb, unsigned len, struct cdb_capacity *c,
			    struct cdb_err *err);
int cdb_parse_sync_cache(const uint8_t *cdb, unsigned len, struct cdb_sync *s,
			 struct cdb_err *err);
int cdb_parse_request_sense(const uint8_t *cdb, unsigned len, struct cdb_request_sense *r,
			    struct cdb_err *err);
int cdb_parse_tur(const uint8_t *cdb, unsigned len, struct cdb_err *err);

/* Parsers that live with their command family (src/device/sbc_*.c). */
int cdb_parse_write_same(const uint8_t *cdb, unsigned len, struct cdb_write_same *ws,
			 struct cdb_err *err);
int cdb_parse_write_atomic(const uint8_t *cdb, unsigned len, struct cdb_rw *rw,
			   struct cdb_err *err);
int cdb_parse_compare_write(const uint8_t *cdb, unsigned len, struct cdb_rw *rw,
			    struct cdb_err *err);

/* Do nblocks blocks from lba fit in a medium of `capacity` blocks?  Never
 * overflows: an LBA plus length past 2^64 is simply out of range. */
static inline bool cdb_range_ok(uint64_t lba, uint64_t nblocks, uint64_t capacity)
{
	return lba <= capacity && nblocks <= capacity - lba;
}

#endif
