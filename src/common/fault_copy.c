#include "common/fault_copy.h"

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "common/util.h"

/* The copy in progress on this thread, if any.  volatile: the compiler
 * must not drop or move these stores around the copy, which it would
 * otherwise see as dead (only the signal handler reads them). */
static __thread sigjmp_buf *volatile guard_jmp;
static __thread volatile uintptr_t guard_lo, guard_hi;

static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t addr = (uintptr_t)si->si_addr;

	(void)uctx;
	if (guard_jmp && addr >= guard_lo && addr < guard_hi)
		siglongjmp(*guard_jmp, 1);
	/* Not ours: die of it as if no handler were installed. */
	signal(sig, SIG_DFL);
	raise(sig);
}

void fault_copy_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

/* volatile: these live across the sigsetjmp() return. */
int fault_copy_from_iov(void *dst, const struct iovec *iov, int iovcnt, size_t n)
{
	sigjmp_buf jb;
	uint8_t *volatile d = dst;
	volatile size_t left = n;

	if (sigsetjmp(jb, 0)) {
		guard_jmp = NULL;
		return -1;
	}
	guard_lo = (uintptr_t)dst;
	guard_hi = (uintptr_t)dst + n;
	guard_jmp = &jb;
	for (int i = 0; i < iovcnt && left; i++) {
		size_t k = MIN(iov[i].iov_len, left);
		memcpy(d, iov[i].iov_base, k);
		d += k;
		left -= k;
	}
	guard_jmp = NULL;
	return 0;
}
