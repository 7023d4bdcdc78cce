/* Copying into memory that is a mapping of a file which someone else may
 * shrink: a store to a page past the file's new end raises SIGBUS, which
 * would end the daemon.  fault_copy() turns that into an error instead. */
#ifndef LUNA_COMMON_FAULT_COPY_H
#define LUNA_COMMON_FAULT_COPY_H

#include <stddef.h>
#include <sys/uio.h>

/* Install the process's SIGBUS handler (again, if something replaced it).
 * Call it before copies into mappings can happen.  A SIGBUS anywhere but
 * in fault_copy_from_iov() still ends the process as it would have. */
void fault_copy_init(void);

/* Copy the first n bytes of iov (iovcnt entries) to dst.  Returns 0, or -1
 * if a page of dst could not be had (SIGBUS); dst may then hold part of
 * the data. */
int fault_copy_from_iov(void *dst, const struct iovec *iov, int iovcnt, size_t n);

#endif
