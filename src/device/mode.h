/* Mode pages (SPC-4 7.5, SBC-4 6.5) and the MODE SENSE parameter data. */
#ifndef LUNA_DEVICE_MODE_H
#define LUNA_DEVICE_MODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scsi_mode_params;

enum mode_pc {
	MODE_PC_CURRENT = 0,
	MODE_PC_CHANGEABLE = 1,
	MODE_PC_DEFAULT = 2,
	MODE_PC_SAVED = 3,
};

/* What the mode parameter header and block descriptor say. */
struct mode_hdr_info {
	uint8_t dev_specific; /* WP, DPOFUA ... */
	bool block_descriptor;
	bool llbaa;
	uint64_t nblocks;
	uint32_t block_size;
};

/* Build MODE SENSE (6) or (10) parameter data for page/subpage (0x3f =
 * all) into buf.  Returns the full length, or -1 if the page or subpage
 * is not supported. */
long mode_sense_build(const struct scsi_mode_params *m, const struct mode_hdr_info *h,
		      bool ten, uint8_t page, uint8_t subpage, enum mode_pc pc, uint8_t *buf,
		      size_t cap);

/* MODE SELECT: check the mode pages in data (len bytes, after the header
 * and block descriptors) against the changeable mask and the current
 * values in m, and take them into m.  Returns -1 with *bad set to the
 * offending byte (relative to data) if any page is refused; m is then
 * unchanged. */
int mode_select_apply(struct scsi_mode_params *m, const uint8_t *data, size_t len,
		      size_t *bad);

/* The mode parameters an LU starts with (also the "default" values). */
void mode_params_default(struct scsi_mode_params *m);

#endif
