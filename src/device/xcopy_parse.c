/* The EXTENDED COPY (LID1) parameter list (SPC-4 6.4.3): a 16-byte header,
 * target descriptors, segment descriptors.  Luna takes identification
 * descriptor targets (0xE4) and block-to-block segments (0x02). */
#include <string.h>

#include "common/bytes.h"
#include "device/xcopy.h"
#include "scsi/sense.h"

#define HDR_LEN 16
#define TGT_DESC_LEN 32
#define TGT_IDENT 0xe4
#define SEG_B2B 0x02
#define SEG_B2B_LEN 28
#define DESIG_NAA 0x3

static int fail(struct xcopy_err *err, uint8_t key, uint16_t asc, uint16_t byte, int bit)
{
	err->key = key;
	err->asc_ascq = asc;
	err->byte = byte;
	err->bit = (int8_t)bit;
	return -1;
}

static int bad_list(struct xcopy_err *err, uint16_t asc, size_t byte)
{
	return fail(err, SK_ILLEGAL_REQUEST, asc, (uint16_t)byte, -1);
}

static int parse_header(const uint8_t *p, size_t plen, struct xcopy_req *req, uint32_t *tlen,
			uint32_t *slen, struct xcopy_err *err)
{
	uint32_t ilen;

	if (plen < HDR_LEN)
		return bad_list(err, ASC_PARAM_LIST_LENGTH_ERROR, 0xffff);
	req->list_id = p[0];
	req->list_id_usage = (p[1] >> 3) & 0x3;
	*tlen = get_be16(p + 2);
	*slen = get_be32(p + 8);
	ilen = get_be32(p + 12);
	/* A list longer than the data that came is cut short; one longer than
	 * we take is too long (libiscsi's tests expect LENGTH ERROR for both). */
	if ((uint64_t)HDR_LEN + *tlen + *slen + ilen > plen ||
	    (uint64_t)*tlen + *slen > XCOPY_MAX_DESC_LIST)
		return bad_list(err, ASC_PARAM_LIST_LENGTH_ERROR, 0xffff);
	if (ilen != 0)
		return bad_list(err, ASC_INVALID_FIELD_IN_PARAM_LIST, 12);
	if (req->list_id_usage == 3 && req->list_id != 0)
		return bad_list(err, ASC_INVALID_FIELD_IN_PARAM_LIST, 0);
	return 0;
}

static void parse_ident_target(const uint8_t *d, struct xcopy_target *t)
{
	uint8_t dlen = d[7];

	memset(t, 0, sizeof(*t));
	/* LU ID TYPE (byte 1) is ignored as SPC-4 asks; NUL is obsolete but
	 * honoured: a null target can take no blocks. */
	t->nul = d[1] & 0x20;
	if ((d[5] & 0x0f) == DESIG_NAA && (d[5] & 0x30) == 0 && dlen <= sizeof(t->naa) &&
	    dlen > 0) {
		memcpy(t->naa, d + 8, dlen);
		t->naa_len = dlen;
	}
	t->block_size = get_be24(d + 29);
}

static int parse_targets(const uint8_t *p, uint32_t tlen, struct xcopy_req *req,
			 struct xcopy_err *err)
{
	if (tlen % TGT_DESC_LEN)
		return bad_list(err, ASC_PARAM_LIST_LENGTH_ERROR, 2);
	for (uint32_t off = 0; off < tlen; off += TGT_DESC_LEN) {
		const uint8_t *d = p + off;

		if (d[0] != TGT_IDENT)
			return bad_list(err, ASC_UNSUPPORTED_TARGET_DESCRIPTOR, HDR_LEN + off);
		if (req->ntargets == XCOPY_MAX_TARGETS)
			return bad_list(err, ASC_TOO_MANY_TARGET_DESCRIPTORS, HDR_LEN + off);
		parse_ident_target(d, &req->t[req->ntargets++]);
	}
	return 0;
}

static int parse_segments(const uint8_t *p, uint32_t slen, size_t base, struct xcopy_req *req,
			  struct xcopy_err *err)
{
	uint32_t off = 0;

	while (off < slen) {
		const uint8_t *d = p + off;
		uint32_t dlen;
		struct xcopy_segment *s;

		if (slen - off < 4)
			return bad_list(err, ASC_PARAM_LIST_LENGTH_ERROR, base + off);
		dlen = 4u + get_be16(d + 2);
		if (d[0] != SEG_B2B)
			return bad_list(err, ASC_UNSUPPORTED_SEGMENT_DESCRIPTOR, base + off);
		if (dlen != SEG_B2B_LEN || dlen > slen - off)
			return bad_list(err, ASC_PARAM_LIST_LENGTH_ERROR, base + off + 2);
		if (req->nsegments == XCOPY_MAX_SEGMENTS)
			return bad_list(err, ASC_TOO_MANY_SEGMENT_DESCRIPTORS, base + off);
		s = &req->s[req->nsegments++];
		s->src = get_be16(d + 4);
		s->dst = get_be16(d + 6);
		s->nblocks = get_be16(d + 10);
		s->src_lba = get_be64(d + 12);
		s->dst_lba = get_be64(d + 20);
		off += dlen;
	}
	return 0;
}

int xcopy_parse(const uint8_t *p, size_t plen, struct xcopy_req *req, struct xcopy_err *err)
{
	uint32_t tlen, slen;

	memset(req, 0, sizeof(*req));
	if (parse_header(p, plen, req, &tlen, &slen, err) < 0)
		return -1;
	if (parse_targets(p + HDR_LEN, tlen, req, err) < 0)
		return -1;
	return parse_segments(p + HDR_LEN + tlen, slen, HDR_LEN + tlen, req, err);
}
