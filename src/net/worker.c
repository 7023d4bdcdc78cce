#include "net/worker.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

/* How long a worker keeps polling after its last event before it sleeps
 * (see loop_run): about three round trips of a 4 KiB command at queue
 * depth 1.  Measured on 2 CPUs (iscsi-perf, random 4 KiB reads, qd 1): no
 * polling 10 K IOPS, 50 us 12-26 K, 100 us 20-34 K, 200 us 29-31 K; queue
 * depth 32 and 256 KiB reads unchanged. */
#define WORKER_SPIN_NS 100000ull

struct worker {
	pthread_t thread;
	struct loop *loop;
	unsigned index;
	atomic_uint nconns; /* connections living on this worker */
};

static struct worker *workers;
static unsigned nworkers;
static void (*thread_exit_fn)(void);

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[16];

	snprintf(name, sizeof(name), "lunad-w%u", w->index);
	pthread_setname_np(pthread_self(), name);
	loop_run(w->loop);
	if (thread_exit_fn)
		thread_exit_fn();
	return NULL;
}

int workers_start(unsigned n, void (*thread_exit)(void))
{
	thread_exit_fn = thread_exit;
	if (n == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		n = cpus > 0 ? (unsigned)cpus : 1;
	}
	workers = xcalloc(n, sizeof(*workers));
	for (unsigned i = 0; i < n; i++) {
		workers[i].index = i;
		workers[i].loop = loop_new();
		loop_set_spin(workers[i].loop, WORKER_SPIN_NS);
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
			log_err("cannot start worker thread %u", i);
			nworkers = i;
			workers_stop();
			return -1;
		}
		nworkers = i + 1;
	}
	log_info("%u worker thread%s", n, n == 1 ? "" : "s");
	return 0;
}

unsigned workers_count(void)
{
	return nworkers;
}

/* Least connections rather than round robin: connections that come and go
 * (benchmarks, discovery) would otherwise leave the workers lopsided, and
 * one connection alone always lands on the same worker.  Picks race only
 * among listeners; a slightly stale count costs nothing. */
struct loop *workers_pick(void)
{
	struct worker *best = &workers[0];

	for (unsigned i = 1; i < nworkers; i++)
		if (atomic_load(&workers[i].nconns) < atomic_load(&best->nconns))
			best = &workers[i];
	atomic_fetch_add(&best->nconns, 1);
	return best->loop;
}

void workers_unpick(const struct loop *loop)
{
	for (unsigned i = 0; i < nworkers; i++)
		if (workers[i].loop == loop) {
			atomic_fetch_sub(&workers[i].nconns, 1);
			return;
		}
}

void workers_post_all(loop_fn fn, void *arg)
{
	for (unsigned i = 0; i < nworkers; i++)
		loop_post(workers[i].loop, fn, arg);
}

void workers_stop(void)
{
	for (unsigned i = 0; i < nworkers; i++)
		loop_stop(workers[i].loop);
	for (unsigned i = 0; i < nworkers; i++) {
		pthread_join(workers[i].thread, NULL);
		loop_free(workers[i].loop);
	}
	free(workers);
	workers = NULL;
	nworkers = 0;
}
