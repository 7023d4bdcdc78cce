/* The event loop of one thread: epoll for file descriptors, a timer list,
 * a queue of functions posted from other threads, and hooks that run once
 * per iteration before the loop sleeps (used to batch io_uring submissions).
 *
 * Each worker thread runs exactly one loop; everything registered on a loop
 * is touched only by that loop's thread, except loop_post() and loop_stop(),
 * which any thread may call. */
#ifndef LUNA_NET_LOOP_H
#define LUNA_NET_LOOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "common/list.h"

struct loop;

typedef void (*loop_fd_fn)(void *arg, uint32_t events);
typedef void (*loop_fn)(void *arg);

/* A file descriptor watched by a loop.  Owned by the caller. */
struct loop_fd {
	int fd;
	uint32_t events; /* EPOLLIN, EPOLLOUT, ... as registered */
	loop_fd_fn fn;
	void *arg;
};

/* A one-shot timer.  Owned by the caller; re-arm with loop_timer_add. */
struct loop_timer {
	struct list_node node;
	uint64_t deadline_ms;
	loop_fn fn;
	void *arg;
	bool armed;
};

/* A hook run once per loop iteration, before the loop waits for events. */
struct loop_hook {
	struct list_node node;
	loop_fn fn;
	void *arg;
};

struct loop *loop_new(void);
void loop_free(struct loop *loop);

/* Run until loop_stop(); binds the loop to the calling thread. */
void loop_run(struct loop *loop);
/* Keep polling (epoll_wait without sleeping) for this long after the last
 * event before sleeping; 0, the default, sleeps at once.  See loop.c. */
void loop_set_spin(struct loop *loop, uint64_t spin_ns);
void loop_stop(struct loop *loop);

/* The loop of the calling thread, or NULL outside a loop thread. */
struct loop *loop_current(void);

int loop_fd_add(struct loop *loop, struct loop_fd *lfd, int fd, uint32_t events, loop_fd_fn fn,
		void *arg);
int loop_fd_mod(struct loop *loop, struct loop_fd *lfd, uint32_t events);
void loop_fd_del(struct loop *loop, struct loop_fd *lfd);

void loop_timer_add(struct loop *loop, struct loop_timer *t, uint64_t after_ms, loop_fn fn,
		    void *arg);
void loop_timer_cancel(struct loop *loop, struct loop_timer *t);

void loop_hook_add(struct loop *loop, struct loop_hook *h, loop_fn fn, void *arg);
void loop_hook_del(struct loop *loop, struct loop_hook *h);

/* Run fn(arg) on the loop's thread.  Safe from any thread.  The posted
 * functions run in the order they were posted. */
void loop_post(struct loop *loop, loop_fn fn, void *arg);

#endif
