/* Building sense data: fixed format (SPC-4 4.5.3) and descriptor format
 * (4.5.2). */
#include "scsi/sense.h"

#include <string.h>

#include "common/bytes.h"
#include "scsi/lu.h"
#include "scsi/scsi_cmd.h"

#define FIXED_LEN 18
#define DESC_HDR_LEN 8
#define DESC_INFO_LEN 12
#define DESC_SKS_LEN 8

static int build_fixed(uint8_t *b, bool info_valid, uint64_t info, enum sense_key key,
		       uint16_t asc_ascq, const uint8_t *sks)
{
	b[0] = 0x70; /* current error, fixed format */
	/* The fixed format INFORMATION field has 32 bits; a larger value is
	 * left out (VALID = 0) rather than truncated. */
	if (info_valid && info <= UINT32_MAX) {
		b[0] |= 0x80;
		put_be32(b + 3, (uint32_t)info);
	}
	b[2] = key & 0x0f;
	b[7] = FIXED_LEN - 8;
	put_be16(b + 12, asc_ascq);
	if (sks)
		memcpy(b + 15, sks, 3);
	return FIXED_LEN;
}

static int build_desc(uint8_t *b, bool info_valid, uint64_t info, enum sense_key key,
		      uint16_t asc_ascq, const uint8_t *sks)
{
	int n = DESC_HDR_LEN;

	b[0] = 0x72; /* current error, descriptor format */
	b[1] = key & 0x0f;
	put_be16(b + 2, asc_ascq);
	if (info_valid) {
		b[n] = 0x00; /* information descriptor */
		b[n + 1] = 0x0a;
		b[n + 2] = 0x80; /* VALID */
		put_be64(b + n + 4, info);
		n += DESC_INFO_LEN;
	}
	if (sks) {
		b[n] = 0x02; /* sense key specific descriptor */
		b[n + 1] = 0x06;
		memcpy(b + n + 4, sks, 3);
		n += DESC_SKS_LEN;
	}
	b[7] = (uint8_t)(n - DESC_HDR_LEN);
	return n;
}

int scsi_sense_build(uint8_t *buf, int buflen, bool descriptor, enum sense_key key,
		     uint16_t asc_ascq, bool info_valid, uint64_t info, const uint8_t *sks)
{
	uint8_t tmp[DESC_HDR_LEN + DESC_INFO_LEN + DESC_SKS_LEN] = {0};
	int n;

	if (descriptor)
		n = build_desc(tmp, info_valid, info, key, asc_ascq, sks);
	else
		n = build_fixed(tmp, info_valid, info, key, asc_ascq, sks);
	if (buflen < 0)
		buflen = 0;
	if (n > buflen)
		n = buflen;
	memcpy(buf, tmp, (size_t)n);
	return n;
}

static bool wants_descriptor(const struct scsi_cmd *cmd)
{
	/* Read without the LU lock: MODE SELECT flips a single flag, and a
	 * command racing with it may see either format. */
	return cmd->lu != NULL && cmd->lu->mode.d_sense;
}

static void set_sense(struct scsi_cmd *cmd, enum sense_key key, uint16_t asc_ascq,
		      bool info_valid, uint64_t info, const uint8_t *sks)
{
	cmd->status = SAM_STAT_CHECK_CONDITION;
	cmd->sense_len = (uint8_t)scsi_sense_build(cmd->sense, SCSI_SENSE_MAX,
						   wants_descriptor(cmd), key, asc_ascq,
						   info_valid, info, sks);
}

void scsi_sense_set(struct scsi_cmd *cmd, enum sense_key key, uint16_t asc_ascq)
{
	set_sense(cmd, key, asc_ascq, false, 0, NULL);
}

void scsi_sense_set_info(struct scsi_cmd *cmd, enum sense_key key, uint16_t asc_ascq,
			 uint64_t info)
{
	set_sense(cmd, key, asc_ascq, true, info, NULL);
}

void scsi_sense_field_pointer(uint8_t sks[3], bool in_cdb, uint16_t byte, int bit)
{
	sks[0] = 0x80; /* SKSV */
	if (in_cdb)
		sks[0] |= 0x40; /* C/D */
	if (bit >= 0 && bit <= 7)
		sks[0] |= 0x08 | (uint8_t)bit; /* BPV and the bit */
	put_be16(sks + 1, byte);
}

void scsi_sense_set_field(struct scsi_cmd *cmd, uint16_t asc_ascq, bool in_cdb, uint16_t byte,
			  int bit)
{
	uint8_t sks[3];

	scsi_sense_field_pointer(sks, in_cdb, byte, bit);
	set_sense(cmd, SK_ILLEGAL_REQUEST, asc_ascq, false, 0, sks);
}

void scsi_sense_progress_sks(uint8_t sks[3], uint16_t progress)
{
	sks[0] = 0x80; /* SKSV */
	put_be16(sks + 1, progress);
}

void scsi_sense_set_progress(struct scsi_cmd *cmd, enum sense_key key, uint16_t asc_ascq,
			     uint16_t progress)
{
	uint8_t sks[3];

	scsi_sense_progress_sks(sks, progress);
	set_sense(cmd, key, asc_ascq, false, 0, sks);
}
