/* Block I/O on one LUN over a session: reads and writes split into
 * commands the target accepts, retried on UNIT ATTENTION (a target that
 * restarted reports power-on) and BUSY/TASK SET FULL; flush, unmap and
 * write-zeroes with fallbacks.  What dd, bench and the NBD bridge use. */
#ifndef LUNA_INITIATOR_LUNIO_H
#define LUNA_INITIATOR_LUNIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "initiator/initiator.h"

struct ini_lun {
	struct ini_session *s;
	uint64_t lun;
	uint32_t block_size;
	uint64_t blocks;
	uint32_t max_blocks; /* per command */
	bool thin;
	bool no_unmap;	    /* UNMAP refused once: do not try again */
	bool no_write_same; /* WRITE SAME refused once */
	uint8_t pdt;
};

/* Find the LUN's size (READ CAPACITY 16, or 10) and transfer limit (Block
 * Limits VPD), clearing unit attentions first.  Returns 0, or -1 with a
 * message in err. */
int ini_lun_open(struct ini_session *s, uint64_t lun, struct ini_lun *l, char *err, size_t errlen);

/* err: 0, or a message (the session failed, the target refused...). */
typedef void (*ini_io_cb)(void *arg, const char *err);

/* Read or write blocks at lba.  buf holds blocks * block_size bytes. */
int ini_lun_rw(struct ini_lun *l, bool write, uint64_t lba, uint32_t blocks, void *buf, bool fua,
	       ini_io_cb cb, void *arg);
int ini_lun_flush(struct ini_lun *l, ini_io_cb cb, void *arg);
/* Deallocate blocks (advisory: a target without UNMAP just says yes). */
int ini_lun_unmap(struct ini_lun *l, uint64_t lba, uint32_t blocks, ini_io_cb cb, void *arg);
/* Make blocks read as zeroes: WRITE SAME, or plain writes of zeroes. */
int ini_lun_write_zeroes(struct ini_lun *l, uint64_t lba, uint32_t blocks, bool fua, ini_io_cb cb,
			 void *arg);

/* The same, waited for; 0 or -1 with err. */
int ini_lun_rw_sync(struct ini_lun *l, bool write, uint64_t lba, uint32_t blocks, void *buf,
		    char *err, size_t errlen);

#endif
