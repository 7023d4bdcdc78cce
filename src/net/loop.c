#include "net/loop.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

struct posted {
	struct posted *next;
	loop_fn fn;
	void *arg;
};

struct loop {
	int epfd;
	int wakefd; /* eventfd: posted work or stop */
	struct loop_fd wake;
	atomic_bool stop;
	struct list_node timers; /* sorted by deadline */
	struct list_node hooks;
	uint64_t spin_ns;
	pthread_mutex_t post_lock;
	struct posted *post_head, *post_tail;
};

static __thread struct loop *this_loop;

struct loop *loop_current(void)
{
	return this_loop;
}

static void run_posted(struct loop *loop)
{
	struct posted *p;

	pthread_mutex_lock(&loop->post_lock);
	p = loop->post_head;
	loop->post_head = loop->post_tail = NULL;
	pthread_mutex_unlock(&loop->post_lock);
	while (p) {
		struct posted *next = p->next;
		p->fn(p->arg);
		free(p);
		p = next;
	}
}

static void on_wake(void *arg, uint32_t events)
{
	struct loop *loop = arg;
	uint64_t v;

	(void)events;
	if (read(loop->wakefd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("event loop: reading wake-up eventfd: %s", strerror(errno));
	run_posted(loop);
}

struct loop *loop_new(void)
{
	struct loop *loop = xcalloc(1, sizeof(*loop));

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->epfd < 0 || loop->wakefd < 0) {
		log_err("event loop: cannot create epoll or eventfd: %s", strerror(errno));
		abort();
	}
	list_init(&loop->timers);
	list_init(&loop->hooks);
	pthread_mutex_init(&loop->post_lock, NULL);
	loop_fd_add(loop, &loop->wake, loop->wakefd, EPOLLIN, on_wake, loop);
	return loop;
}

void loop_free(struct loop *loop)
{
	if (loop == NULL)
		return;
	run_posted(loop);
	close(loop->epfd);
	close(loop->wakefd);
	pthread_mutex_destroy(&loop->post_lock);
	free(loop);
}

int loop_fd_add(struct loop *loop, struct loop_fd *lfd, int fd, uint32_t events, loop_fd_fn fn,
		void *arg)
{
	struct epoll_event ev = {.events = events, .data.ptr = lfd};

	lfd->fd = fd;
	lfd->events = events;
	lfd->fn = fn;
	lfd->arg = arg;
	return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int loop_fd_mod(struct loop *loop, struct loop_fd *lfd, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = lfd};

	if (lfd->events == events)
		return 0;
	lfd->events = events;
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, lfd->fd, &ev);
}

void loop_fd_del(struct loop *loop, struct loop_fd *lfd)
{
	if (lfd->fd >= 0)
		epoll_ctl(loop->epfd, EPOLL_CTL_DEL, lfd->fd, NULL);
	lfd->fn = NULL;
}

void loop_timer_add(struct loop *loop, struct loop_timer *t, uint64_t after_ms, loop_fn fn,
		    void *arg)
{
	struct list_node *pos;

	if (t->armed)
		list_del(&t->node);
	t->deadline_ms = now_ms() + after_ms;
	t->fn = fn;
	t->arg = arg;
	t->armed = true;
	/* Keep the list sorted; timers are few (one or two per connection). */
	list_for_each(pos, &loop->timers)
	{
		struct loop_timer *o = list_entry(pos, struct loop_timer, node);
		if (o->deadline_ms > t->deadline_ms)
			break;
	}
	list_insert_between(&t->node, pos->prev, pos);
}

void loop_timer_cancel(struct loop *loop, struct loop_timer *t)
{
	(void)loop;
	if (t->armed) {
		list_del(&t->node);
		t->armed = false;
	}
}

void loop_hook_add(struct loop *loop, struct loop_hook *h, loop_fn fn, void *arg)
{
	h->fn = fn;
	h->arg = arg;
	list_add_tail(&loop->hooks, &h->node);
}

void loop_hook_del(struct loop *loop, struct loop_hook *h)
{
	(void)loop;
	list_del(&h->node);
}

void loop_post(struct loop *loop, loop_fn fn, void *arg)
{
	struct posted *p = xmalloc(sizeof(*p));
	uint64_t one = 1;

	p->next = NULL;
	p->fn = fn;
	p->arg = arg;
	pthread_mutex_lock(&loop->post_lock);
	if (loop->post_tail)
		loop->post_tail->next = p;
	else
		loop->post_head = p;
	loop->post_tail = p;
	pthread_mutex_unlock(&loop->post_lock);
	if (write(loop->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("event loop: waking loop: %s", strerror(errno));
}

void loop_stop(struct loop *loop)
{
	uint64_t one = 1;

	atomic_store(&loop->stop, true);
	if (write(loop->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("event loop: waking loop: %s", strerror(errno));
}

static int run_timers(struct loop *loop)
{
	uint64_t now = now_ms();

	while (!list_empty(&loop->timers)) {
		struct loop_timer *t = list_first(&loop->timers, struct loop_timer, node);
		if (t->deadline_ms > now)
			return (int)MIN(t->deadline_ms - now, 1000u);
		list_del(&t->node);
		t->armed = false;
		t->fn(t->arg);
	}
	return -1;
}

static void run_hooks(struct loop *loop)
{
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &loop->hooks)
	{
		struct loop_hook *h = list_entry(pos, struct loop_hook, node);
		h->fn(h->arg);
	}
}

void loop_set_spin(struct loop *loop, uint64_t spin_ns)
{
	loop->spin_ns = spin_ns;
}

/* Polling for a short while after the last event, rather than sleeping at
 * once, is what makes low queue depths fast: waking a thread that sleeps
 * on another CPU costs an inter-processor interrupt and the CPU's way out
 * of its idle state (tens of microseconds in a virtual machine), which at
 * queue depth 1 is most of a command's round trip.  A loop that is still
 * polling when the next command arrives takes it at once.  The window is
 * short, so an idle daemon does not burn CPU. */
void loop_run(struct loop *loop)
{
	struct epoll_event evs[64];
	uint64_t spin_until = 0;

	this_loop = loop;
	while (!atomic_load(&loop->stop)) {
		int timeout = run_timers(loop);
		int n;

		run_hooks(loop);
		if (spin_until && now_ns() < spin_until) {
			n = epoll_wait(loop->epfd, evs, (int)ARRAY_SIZE(evs), 0);
			if (n == 0) {
				/* Whoever shares this CPU (the initiator, on a
				 * small machine) goes first. */
				sched_yield();
				continue;
			}
		} else {
			n = epoll_wait(loop->epfd, evs, (int)ARRAY_SIZE(evs), timeout);
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("event loop: epoll_wait: %s", strerror(errno));
			break;
		}
		if (loop->spin_ns && n > 0) /* socket or wake-up events, not timers */
			spin_until = now_ns() + loop->spin_ns;
		for (int i = 0; i < n; i++) {
			struct loop_fd *lfd = evs[i].data.ptr;
			if (lfd->fn)
				lfd->fn(lfd->arg, evs[i].events);
		}
	}
	run_posted(loop);
}
