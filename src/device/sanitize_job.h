/* A sanitize operation running in the background of a disk LU (SBC-4
 * 4.11): it outlives the SANITIZE command, task management and I_T nexus
 * loss, and answers the command (unless IMMED) when it ends. */
#ifndef LUNA_DEVICE_SANITIZE_JOB_H
#define LUNA_DEVICE_SANITIZE_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "backstore/backstore.h"

struct scsi_cmd;
struct scsi_lu;

/* The default pace of a sanitize, in bytes of medium per second.  A RAM or
 * page-cache store could be overwritten at memory speed, but a sanitize
 * runs on the worker thread that received it, beside the I/O of every
 * other LU and connection of that worker: in bounded chunks at a bounded
 * rate it costs them a few percent of the thread instead of stalling them
 * for seconds.  It also makes a sanitize take the time a real device takes
 * (a 512 MiB LU: 8 s), which initiators expect: they poll for its end. */
#define SANITIZE_DEFAULT_RATE (64ull << 20)

/* Deallocating moves no data, so BLOCK and CRYPTO ERASE by discard go this
 * many times faster. */
#define SANITIZE_DISCARD_SPEEDUP 16u

struct sanitize_params {
	enum bs_op op;		/* BS_WRITE (OVERWRITE), BS_DISCARD or BS_WRITE_ZEROES */
	const uint8_t *pattern; /* OVERWRITE: 1 .. block size bytes */
	uint16_t patlen;
	unsigned passes; /* OVERWRITE COUNT; 1 for the others */
	bool invert;	 /* INVERT: the pattern flips between passes */
	bool immed;	 /* answer GOOD at once */
};

/* Start a sanitize of the whole medium of cmd->lu.  Completes cmd now (IMMED,
 * or an error: out of memory, a sanitize already running) or when the
 * sanitize ends. */
void sanitize_job_start(struct scsi_cmd *cmd, const struct sanitize_params *p);

/* The daemon is stopping and its workers have: forget the sanitizes still
 * running (their progress is lost, as with a power loss) and drop their
 * references on the LUs, so that the LUs and stores can be freed.  The
 * SANITIZE commands still waiting are the transport's to drop.  Only with
 * no worker loop running. */
void sanitize_jobs_abandon(void);

/* How far a sanitize has come: 0 .. 65535 of 65536 (PROGRESS INDICATION). */
uint16_t sanitize_progress(const struct scsi_lu *lu);

/* Pure: the earliest time (ms after the start) at which `done` bytes may
 * have been processed at `rate` bytes per second. */
uint64_t sanitize_due_ms(uint64_t done, uint64_t rate);

#endif
