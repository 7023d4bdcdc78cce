/* PERSISTENT RESERVE OUT (SPC-4 6.17): the CDB and its parameter list. */
#include <string.h>

#include "common/bytes.h"
#include "scsi/pr.h"
#include "scsi/sense.h"

#define PROUT_BASIC_LEN 24
#define PROUT_CDB_LEN 10

static int fail(struct pr_err *err, uint16_t asc, bool in_cdb, uint16_t byte, int bit)
{
	err->asc_ascq = asc;
	err->in_cdb = in_cdb;
	err->byte = byte;
	err->bit = (int8_t)bit;
	return -1;
}

static int parse_cdb(const uint8_t *cdb, unsigned len, struct prout_req *req, uint32_t *plen,
		     struct pr_err *err)
{
	if (len < PROUT_CDB_LEN)
		return fail(err, ASC_INVALID_OPCODE, true, 0, -1);
	req->sa = cdb[1] & 0x1f;
	if (req->sa > PROUT_REGISTER_AND_MOVE)
		return fail(err, ASC_INVALID_FIELD_IN_CDB, true, 1, 4);
	if (cdb[9] & 0x04) /* NACA: ACA is not supported */
		return fail(err, ASC_INVALID_FIELD_IN_CDB, true, 9, 2);
	req->scope = cdb[2] >> 4;
	req->type = cdb[2] & 0x0f;
	*plen = get_be32(cdb + 5);
	return 0;
}

/* REGISTER AND MOVE has its own parameter list layout. */
static int parse_move(const uint8_t *p, size_t plen, struct prout_req *req, struct pr_err *err)
{
	req->unreg = p[17] & 0x02;
	req->aptpl = p[17] & 0x01;
	req->rtpi = get_be16(p + 18);
	req->tids_len = get_be32(p + 20);
	if (req->tids_len < 4 || req->tids_len > plen - PROUT_BASIC_LEN)
		return fail(err, ASC_PARAM_LIST_LENGTH_ERROR, true, 5, -1);
	req->tids = p + PROUT_BASIC_LEN;
	return 0;
}

static int parse_basic(const uint8_t *p, size_t plen, struct prout_req *req, struct pr_err *err)
{
	req->spec_i_pt = p[20] & 0x08;
	req->all_tg_pt = p[20] & 0x04;
	req->aptpl = p[20] & 0x01;
	if (req->spec_i_pt && req->sa != PROUT_REGISTER)
		return fail(err, ASC_INVALID_FIELD_IN_PARAM_LIST, false, 20, 3);
	if (!req->spec_i_pt) {
		if (plen != PROUT_BASIC_LEN)
			return fail(err, ASC_PARAM_LIST_LENGTH_ERROR, true, 5, -1);
		return 0;
	}
	if (plen < PROUT_BASIC_LEN + 4)
		return fail(err, ASC_PARAM_LIST_LENGTH_ERROR, true, 5, -1);
	req->tids_len = get_be32(p + 24);
	if (req->tids_len > plen - PROUT_BASIC_LEN - 4)
		return fail(err, ASC_PARAM_LIST_LENGTH_ERROR, true, 5, -1);
	req->tids = p + PROUT_BASIC_LEN + 4;
	return 0;
}

int prout_parse(const uint8_t *cdb, unsigned len, const uint8_t *param, size_t plen,
		struct prout_req *req, struct pr_err *err)
{
	uint32_t want;

	memset(req, 0, sizeof(*req));
	if (parse_cdb(cdb, len, req, &want, err) < 0)
		return -1;
	/* The list must be there, whole, and at least the basic 24 bytes. */
	if (want < PROUT_BASIC_LEN || plen < want || param == NULL)
		return fail(err, ASC_PARAM_LIST_LENGTH_ERROR, true, 5, -1);
	req->key = get_be64(param);
	req->sa_key = get_be64(param + 8);
	if (req->sa == PROUT_REGISTER_AND_MOVE)
		return parse_move(param, want, req, err);
	return parse_basic(param, want, req, err);
}
