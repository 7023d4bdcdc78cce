/* The few SCSI commands an initiator tool needs: CDB builders and parsers
 * of their answers (SPC-4, SBC-3).  Pure functions over byte buffers. */
#ifndef LUNA_INITIATOR_CDB_H
#define LUNA_INITIATOR_CDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "initiator/initiator.h"

void cdb_test_unit_ready(uint8_t cdb[6]);
void cdb_inquiry(uint8_t cdb[6], bool evpd, uint8_t page, uint16_t alloc);
void cdb_read_capacity10(uint8_t cdb[10]);
void cdb_read_capacity16(uint8_t cdb[16], uint32_t alloc);
void cdb_report_luns(uint8_t cdb[12], uint32_t alloc);
void cdb_rw16(uint8_t cdb[16], bool write, uint64_t lba, uint32_t blocks, bool fua);
void cdb_sync_cache10(uint8_t cdb[10]);
void cdb_write_same16(uint8_t cdb[16], uint64_t lba, uint32_t blocks, bool unmap);
/* UNMAP of one extent; param gets the 24-byte parameter list. */
void cdb_unmap(uint8_t cdb[10], uint8_t param[24], uint64_t lba, uint32_t blocks);

struct scsi_inquiry {
	uint8_t qualifier, pdt;
	bool removable;
	uint8_t version;
	char vendor[9], product[17], revision[5];
};
int scsi_parse_inquiry(const uint8_t *b, size_t len, struct scsi_inquiry *inq);

/* blocks is the number of blocks (last LBA + 1). */
int scsi_parse_read_capacity10(const uint8_t *b, size_t len, uint64_t *blocks, uint32_t *bs);
int scsi_parse_read_capacity16(const uint8_t *b, size_t len, uint64_t *blocks, uint32_t *bs,
			       bool *thin);

/* LUNs in a REPORT LUNS answer; returns how many were stored (at most
 * max), or -1 when the answer is malformed. *total gets the count the
 * target reported. */
int scsi_parse_report_luns(const uint8_t *b, size_t len, uint64_t *luns, size_t max, size_t *total);

struct scsi_sense {
	uint8_t key, asc, ascq;
};
int scsi_parse_sense(const uint8_t *b, size_t len, struct scsi_sense *s);

/* "disk", "tape", "cd/dvd", ... and libiscsi's "DIRECT_ACCESS" style. */
const char *scsi_pdt_name(uint8_t pdt);
const char *scsi_sense_key_name(uint8_t key);
/* A one-line account of a command's outcome for messages. */
void scsi_describe(const struct ini_scsi_status *st, char *buf, size_t len);

#define SCSI_STATUS_GOOD 0x00
#define SCSI_STATUS_CHECK_CONDITION 0x02
#define SCSI_STATUS_BUSY 0x08
#define SCSI_STATUS_RESERVATION_CONFLICT 0x18
#define SCSI_STATUS_TASK_SET_FULL 0x28
#define SCSI_SENSE_NOT_READY 0x02
#define SCSI_SENSE_ILLEGAL_REQUEST 0x05
#define SCSI_SENSE_UNIT_ATTENTION 0x06

#endif
