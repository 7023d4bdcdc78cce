/* EXTENDED COPY (LID1) and RECEIVE COPY RESULTS (SPC-4 6.4, 6.24): a copy
 * manager that copies blocks between the LUs a nexus sees, named by their
 * NAA identifiers, through the backstores. */
#ifndef LUNA_DEVICE_XCOPY_H
#define LUNA_DEVICE_XCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scsi_cmd;

/* The limits RECEIVE COPY RESULTS (OPERATING PARAMETERS) reports. */
#define XCOPY_MAX_TARGETS 8
#define XCOPY_MAX_SEGMENTS 16
#define XCOPY_MAX_DESC_LIST 1024
#define XCOPY_MAX_SEGMENT_BLOCKS 0xffffu /* what a 2-byte NUMBER OF BLOCKS holds */
#define XCOPY_CHUNK_BYTES (1u << 20)	 /* the bounce buffer */

struct xcopy_target {
	uint8_t naa[16];
	uint8_t naa_len; /* 0: not an NAA designator we can look up */
	bool nul;
	uint32_t block_size; /* 0: not given */
};

struct xcopy_segment {
	uint16_t src, dst; /* target descriptor indexes */
	uint32_t nblocks;
	uint64_t src_lba, dst_lba;
};

struct xcopy_req {
	uint8_t list_id;
	uint8_t list_id_usage; /* 0, 1: hold results; 2: do not; 3: no list id */
	unsigned ntargets, nsegments;
	struct xcopy_target t[XCOPY_MAX_TARGETS];
	struct xcopy_segment s[XCOPY_MAX_SEGMENTS];
};

/* Why a list was refused: sense key, ASC/ASCQ and (ILLEGAL REQUEST) the
 * field pointer into the parameter list (bit -1: none; byte 0xffff: no
 * field pointer at all). */
struct xcopy_err {
	uint8_t key;
	uint16_t asc_ascq;
	uint16_t byte;
	int8_t bit;
};

/* Parse an EXTENDED COPY (LID1) parameter list of plen bytes (pure). */
int xcopy_parse(const uint8_t *p, size_t plen, struct xcopy_req *req, struct xcopy_err *err);

/* EXTENDED COPY: completes the command itself, later (it goes to the
 * backstores), like the SBC I/O commands. */
void xcopy_exec(struct scsi_cmd *cmd);
/* RECEIVE COPY RESULTS: answers at once. */
void xcopy_receive_copy_results(struct scsi_cmd *cmd);

/* VPD page 0x8F, third-party copy (SPC-4 7.8.17), for INQUIRY: its length. */
size_t xcopy_vpd_build(uint8_t *buf, size_t cap);

#endif
