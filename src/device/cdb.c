/* CDB parsers (SPC-4, SBC-4). */
#include "device/cdb.h"

#include "common/bytes.h"
#include "device/opcodes.h"
#include "scsi/sense.h"

static int refuse(struct cdb_err *err, uint16_t asc, uint16_t byte, int bit)
{
	err->asc_ascq = asc;
	err->byte = byte;
	err->bit = (int8_t)bit;
	return -1;
}

static int invalid_field(struct cdb_err *err, uint16_t byte, int bit)
{
	return refuse(err, ASC_INVALID_FIELD_IN_CDB, byte, bit);
}

unsigned cdb_length(uint8_t opcode)
{
	switch (opcode >> 5) {
	case 0:
		return 6;
	case 1:
	case 2:
		return 10;
	case 4:
		return 16;
	case 5:
		return 12;
	default: /* 3: variable length or reserved; 6, 7: vendor specific */
		return 0;
	}
}

int cdb_check_common(const uint8_t *cdb, unsigned len, struct cdb_err *err)
{
	unsigned need = len ? cdb_length(cdb[0]) : 0;

	if (len == 0 || need == 0 || len < need)
		return refuse(err, ASC_INVALID_OPCODE, 0, -1);
	/* NACA asks for ACA handling, which Luna does not offer (SAM-5 5.9). */
	if (cdb[need - 1] & 0x04)
		return invalid_field(err, (uint16_t)(need - 1), 2);
	return 0;
}

static void rw_flags(const uint8_t *cdb, struct cdb_rw *rw)
{
	rw->protect = cdb[1] >> 5;
	rw->dpo = cdb[1] & 0x10;
	rw->fua = cdb[1] & 0x08;
}

int cdb_parse_rw(const uint8_t *cdb, unsigned len, struct cdb_rw *rw, struct cdb_err *err)
{
	if (cdb_check_common(cdb, len, err) < 0)
		return -1;
	*rw = (struct cdb_rw){0};
	switch (cdb[0]) {
	case OP_READ_6:
	case OP_WRITE_6:
		if (cdb[1] & 0xe0)
			return invalid_field(err, 1, 7);
		rw->lba = get_be24(cdb + 1) & 0x1fffff;
		/* SBC-4: a TRANSFER LENGTH of 0 means 256 blocks here only. */
		rw->nblocks = cdb[4] ? cdb[4] : 256;
		return 0;
	case OP_READ_10:
	case OP_WRITE_10:
	case OP_WRITE_VERIFY_10:
	case OP_VERIFY_10:
		rw_flags(cdb, rw);
		rw->lba = get_be32(cdb + 2);
		rw->group = cdb[6] & 0x3f;
		rw->nblocks = get_be16(cdb + 7);
		return 0;
	case OP_READ_12:
	case OP_WRITE_12:
	case OP_WRITE_VERIFY_12:
	case OP_VERIFY_12:
		rw_flags(cdb, rw);
		rw->lba = get_be32(cdb + 2);
		rw->nblocks = get_be32(cdb + 6);
		rw->group = cdb[10] & 0x3f;
		return 0;
	case OP_READ_16:
	case OP_WRITE_16:
	case OP_WRITE_VERIFY_16:
	case OP_VERIFY_16:
	case OP_ORWRITE_16:
		rw_flags(cdb, rw);
		rw->lba = get_be64(cdb + 2);
		rw->nblocks = get_be32(cdb + 10);
		rw->group = cdb[14] & 0x3f;
		return 0;
	case OP_COMPARE_AND_WRITE:
		rw_flags(cdb, rw);
		rw->lba = get_be64(cdb + 2);
		rw->nblocks = cdb[13];
		rw->group = cdb[14] & 0x3f;
		if (cdb[1] & 0x01 || cdb[10] || cdb[11] || cdb[12]) /* reserved */
			return invalid_field(err, (cdb[1] & 0x01) ? 1 : 10, -1);
		return 0;
	case OP_WRITE_ATOMIC_16:
		rw_flags(cdb, rw);
		rw->lba = get_be64(cdb + 2);
		rw->nblocks = get_be16(cdb + 12);
		rw->group = cdb[14] & 0x3f;
		/* ATOMIC BOUNDARY: the Block Limits page offers no boundaries. */
		if (get_be16(cdb + 10) != 0)
			return invalid_field(err, 10, -1);
		return 0;
	default:
		return refuse(err, ASC_INVALID_OPCODE, 0, -1);
	}
}

int cdb_parse_inquiry(const uint8_t *cdb, unsigned len, struct cdb_inquiry *q,
		      struct cdb_err *err)
{
	if (cdb_check_common(cdb, len, err) < 0)
		return -1;
	if (cdb[1] & 0xfe) /* CMDDT (obsolete) and reserved bits */
		return invalid_field(err, 1, (cdb[1] & 0x02) ? 1 : 7);
	q->evpd = cdb[1] & 0x01;
	q->page = cdb[2];
	q->alloc = get_be16(cdb + 3);
	if (!q->evpd && q->page != 0)
		return invalid_field(err, 2, -1);
	return 0;
}

int cdb_parse_mode_sense(const uint8_t *cdb, unsigned len, struct cdb_mode_sense *m,
			 struct cdb_err *err)
{
	if (cdb_check_common(cdb, len, err) < 0)
		return -1;
	*m = (struct cdb_mode_sense){0};
	m->dbd = cdb[1] & 0x08;
	m->pc = cdb[2] >> 6;
	m->page = cdb[2] & 0x3f;
	m->subpage = cdb[3];
	if (cdb[0] == OP_MODE_SENSE_6) {
		m->alloc = cdb[4];
	} else if (cdb[0] == OP_MODE_SENSE_10) {
		m->llbaa = cdb[1] & 0x10;
		m->alloc = get_be16(cdb + 7);
	} else {
		return refuse(err, ASC_INVALID_OPCODE, 0, -1);
	}
	return 0;
}

int cdb_parse_read_capacity(const uint8_t *cdb, unsigned len, struct cdb_capacity *c,
			    struct cdb_err *err)
{
	unsigned pmi_byte;

	if (cdb_check_common(cdb, len, err) < 0)
		return -1;
	*c = (struct cdb_capacity){0};
	if (cdb[0] == OP_READ_CAPACITY_10) {
		c->lba = get_be32(cdb + 2);
		pmi_byte = 8;
	} else if (cdb[0] == OP_SERVICE_ACTION_IN_16 &&
		   (cdb[1] & 0x1f) == SAI_READ_CAPACITY_16) {
		c->lba = get_be64(cdb + 2);
		c->alloc = get_be32(cdb + 10);
		pmi_byte = 14;
	} else {
		return refuse(err, ASC_INVALID_OPCODE, 0, -1);
	}
	c->pmi = cdb[pmi_byte] & 0x01;
	/* SBC-3: without PMI the LOGICAL BLOCK ADDRESS must be zero. */
	if (!c->pmi && c->lba != 0)
		return invalid_field(err, 2, -1);
	return 0;
}

int cdb_parse_sync_cache(const uint8_t *cdb, unsigned len, struct cdb_sync *s,
			 struct cdb_err *err)
{
	if (cdb_check_common(cdb, len, err) < 0)
		return -1;
	*s = (struct cdb_sync){0};
	s->immed = cdb[1] & 0x02;
	if (cdb[0] == OP_SYNCHRONIZE_CACHE_10) {
		s->lba = get_be32(cdb + 2);
		s->nblocks = get_be16(cdb + 7);
	} else if (cdb[0] == OP_SYNCHRONIZE_CACHE_16) {
		s->lba = get_be64(cdb + 2);
		s->nblocks = get_be32(cdb + 10);
	} else {
		return refuse(err, ASC_INVALID_OPCODE, 0, -1);
	}
	return 0;
}

int cdb_parse_request_sense(const uint8_t *cdb, unsigned len, struct cdb_request_sense *r,
			    struct cdb_err *err)
{
	if (cdb_check_common(cdb, len, err) < 0)
		return -1;
	if (cdb[1] & 0xfe)
		return invalid_field(err, 1, 7);
	r->desc = cdb[1] & 0x01;
	r->alloc = cdb[4];
	return 0;
}

int cdb_parse_tur(const uint8_t *cdb, unsigned len, struct cdb_err *err)
{
	return cdb_check_common(cdb, len, err);
}
