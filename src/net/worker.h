/* Worker threads: one event loop each, normally one per core.  Accepted
 * connections are spread over them and stay on their worker for life. */
#ifndef LUNA_NET_WORKER_H
#define LUNA_NET_WORKER_H

#include "net/loop.h"

/* Start n workers (0 = one per online CPU).  thread_exit (may be NULL)
 * runs on each worker thread after its loop stops, to release per-thread
 * resources of other layers.  Returns 0 or -1. */
int workers_start(unsigned n, void (*thread_exit)(void));
unsigned workers_count(void);
/* The loop of the worker with the fewest connections (the first such),
 * counting one more connection on it.  A connection leaving a loop that
 * workers_pick() gave says so with workers_unpick(). */
struct loop *workers_pick(void);
void workers_unpick(const struct loop *loop);
/* Run fn(arg) on every worker. */
void workers_post_all(loop_fn fn, void *arg);
/* Stop every loop and join the threads. */
void workers_stop(void);

#endif
