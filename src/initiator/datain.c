#include "initiator/datain.h"

#include <arpa/inet.h>

void ini_datain_init(struct ini_datain *d, uint32_t edtl, bool is_read)
{
	d->edtl = edtl;
	d->next_off = 0;
	d->next_sn = 0;
	d->got = 0;
	d->is_read = is_read;
}

static int bad(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

int ini_datain_check(const struct ini_datain *d, const struct iscsi_data *hdr, uint32_t max_recv,
		     uint32_t *off, const char **why)
{
	uint32_t len = iscsi_bhs_datalen(hdr);
	uint32_t o = ntohl(hdr->offset);
	bool status = (hdr->flags & ISCSI_DATAIN_STATUS) != 0;

	if (!d->is_read && len > 0)
		return bad(why, "Data-In with data for a command that reads nothing");
	if (len > max_recv)
		return bad(why, "Data-In data segment larger than our MaxRecvDataSegmentLength");
	if (ntohl(hdr->datasn) != d->next_sn)
		return bad(why, "Data-In DataSN out of sequence");
	if (o != d->next_off)
		return bad(why, "Data-In buffer offset out of order (DataPDUInOrder=Yes)");
	if (o > d->edtl || len > d->edtl - o)
		return bad(why, "Data-In beyond the expected data transfer length");
	if (status && !(hdr->flags & ISCSI_FLAG_FINAL))
		return bad(why, "Data-In with status but without the F bit");
	if (!status && (hdr->flags & (ISCSI_RSP_OVERFLOW | ISCSI_RSP_UNDERFLOW)))
		return bad(why, "Data-In with residual flags but no status");
	*off = o;
	return 0;
}

void ini_datain_advance(struct ini_datain *d, const struct iscsi_data *hdr)
{
	uint32_t len = iscsi_bhs_datalen(hdr);

	d->next_off += len;
	d->got += len;
	d->next_sn++;
}

int ini_datain_final(const struct ini_datain *d, uint8_t status, bool underflow, bool overflow,
		     uint32_t residual, const char **why)
{
	if (underflow && overflow)
		return bad(why, "response with both underflow and overflow set");
	if (underflow && residual > d->edtl)
		return bad(why, "underflow residual larger than the expected data transfer length");
	if (!d->is_read || status != 0)
		return 0;
	if (underflow && d->got != d->edtl - residual)
		return bad(why, "Data-In total does not match the underflow residual");
	if (!underflow && d->got != d->edtl)
		return bad(why,
			   "GOOD status but less Data-In than the expected data transfer length");
	return 0;
}
