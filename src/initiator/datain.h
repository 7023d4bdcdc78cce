/* Checks of the Data-In PDUs of one READ, before a byte lands in the
 * caller's buffer (RFC 7143 11.7).  Pure: the state is the caller's. */
#ifndef LUNA_INITIATOR_DATAIN_H
#define LUNA_INITIATOR_DATAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "iscsi/pdu.h"

/* Where one command's Data-In stands. */
struct ini_datain {
	uint32_t edtl;	   /* expected data transfer length (buffer size) */
	uint32_t next_off; /* DataPDUInOrder: the next offset expected */
	uint32_t next_sn;  /* the next DataSN expected */
	uint32_t got;	   /* bytes received */
	bool is_read;
};

void ini_datain_init(struct ini_datain *d, uint32_t edtl, bool is_read);

/* Check a Data-In header for this command: the data segment fits our
 * MaxRecvDataSegmentLength, lies inside the buffer at the expected offset,
 * the DataSN is the next one, a status comes only with the F bit and no
 * overflow/underflow flags without status.  Returns 0 (then *off is where
 * the data goes), or -1 with *why. */
int ini_datain_check(const struct ini_datain *d, const struct iscsi_data *hdr, uint32_t max_recv,
		     uint32_t *off, const char **why);

/* Account for a checked Data-In PDU. */
void ini_datain_advance(struct ini_datain *d, const struct iscsi_data *hdr);

/* The final check when status arrives: with GOOD status and no underflow
 * the whole buffer must have come; with underflow, exactly edtl - residual.
 * Returns 0 or -1 with *why. */
int ini_datain_final(const struct ini_datain *d, uint8_t status, bool underflow, bool overflow,
		     uint32_t residual, const char **why);

#endif
