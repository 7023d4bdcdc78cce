/* The UNMAP parameter list (SBC-4 5.32.2), parsed and checked. */
#ifndef LUNA_DEVICE_SBC_UNMAP_H
#define LUNA_DEVICE_SBC_UNMAP_H

#include <stdint.h>

struct unmap_list {
	const uint8_t *p; /* the first block descriptor */
	uint32_t n;	  /* descriptors */
	uint32_t next;	  /* the next one to discard */
	/* why the list was refused: ASC/ASCQ and the parameter byte */
	uint16_t asc_ascq;
	uint16_t byte;
};

/* Check a parameter list of len bytes against a medium of capacity blocks
 * and the Block Limits; 0 if every descriptor may be unmapped.  An empty
 * list (len 0) is valid and unmaps nothing. */
int unmap_parse(const uint8_t *p, uint32_t len, uint64_t capacity, struct unmap_list *ul);

#endif
