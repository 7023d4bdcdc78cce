/* LBA range locks of a logical unit.
 *
 * Commands that touch the medium hold a range while they run, in one of
 * four modes (see enum range_mode): SIMPLE commands may overlap each other
 * (SAM leaves the result of overlapping reads and writes undefined), but
 * the commands SBC-4 makes atomic (COMPARE AND WRITE, ORWRITE, WRITE
 * ATOMIC, SANITIZE) hold theirs exclusively, and a READ whose data-in is
 * the store's own memory under a checksum holds its blocks stable until
 * the transport has sent them.  A request that conflicts with a holder, or
 * with an earlier waiter (first come, first served, so nobody starves),
 * waits; it is resumed on the thread that made it once it is granted. */
#ifndef LUNA_SCSI_RANGE_LOCK_H
#define LUNA_SCSI_RANGE_LOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/list.h"

struct loop;

/* How a request holds its range, and so whom it waits for. */
enum range_mode {
	/* Reads the blocks: waits only for EXCLUSIVE. */
	RANGE_READ,
	/* May change them (plain writes, WRITE SAME, UNMAP): waits for
	 * EXCLUSIVE and STABLE. */
	RANGE_SHARED,
	/* Reads bytes that must not change while held (sent from the store's
	 * memory under a checksum): waits for EXCLUSIVE and SHARED. */
	RANGE_STABLE,
	/* Atomic commands: waits for everybody. */
	RANGE_EXCLUSIVE,
	RANGE_MODES
};

struct range_lock {
	pthread_mutex_t lock;
	struct list_node held;
	struct list_node waiting;
	/* Requests of each mode held or waiting: while there are none of the
	 * modes a request conflicts with, it is granted without scanning
	 * either list (the common case: plain reads and writes). */
	unsigned nmode[RANGE_MODES];
};

struct range_req {
	struct list_node node;
	uint64_t lba;
	uint64_t count; /* UINT64_MAX with lba 0: the whole medium */
	enum range_mode mode;
	/* Called once the range is granted to a request that had to wait. */
	void (*resume)(void *arg);
	void *arg;
	struct loop *loop;	      /* where resume runs; NULL: on the releasing thread */
	struct list_node list_resume; /* private: granted, to be resumed */
};

void range_lock_init(struct range_lock *rl);
void range_lock_fini(struct range_lock *rl);

/* Ask for a range.  Returns true if it is held at once; false if the
 * request waits and req->resume(req->arg) will run when it is held. */
bool range_lock_acquire(struct range_lock *rl, struct range_req *req);

/* Give a held range back and start the waiters it was blocking. */
void range_lock_release(struct range_lock *rl, struct range_req *req);

/* Do two ranges share a block?  (Pure; no overflow past 2^64.) */
bool range_overlap(uint64_t a_lba, uint64_t a_count, uint64_t b_lba, uint64_t b_count);

#endif
