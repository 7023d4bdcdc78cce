/* bench: keep --qd commands in flight for --time seconds and report IOPS,
 * throughput and latency percentiles. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "iscsi/chap.h"
#include "luna-iscsi/tool.h"

struct bench {
	struct ini_lun l;
	bool write, random;
	uint64_t bs, qd, secs;
	uint64_t blocks_per_io, nslots; /* I/O positions on the LUN */
	uint64_t next_seq, rng;
	uint64_t end_ms;
	uint64_t ios, bytes;
	uint64_t *lat; /* microseconds of every completed I/O */
	size_t nlat, cap;
	unsigned busy;
	bool failed;
};

struct bslot {
	struct bench *b;
	uint8_t *buf;
	uint64_t t0;
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void submit(struct bslot *sl);

static void io_done(void *arg, const char *err)
{
	struct bslot *sl = arg;
	struct bench *b = sl->b;

	b->busy--;
	if (err) {
		if (!b->failed)
			tool_err("bench: %s", err);
		b->failed = true;
		return;
	}
	if (b->nlat == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 65536;
		b->lat = realloc(b->lat, b->cap * sizeof(*b->lat));
		if (b->lat == NULL)
			abort();
	}
	b->lat[b->nlat++] = (now_ns() - sl->t0) / 1000;
	b->ios++;
	b->bytes += b->bs;
	if (now_ms() < b->end_ms)
		submit(sl);
}

static void submit(struct bslot *sl)
{
	struct bench *b = sl->b;
	uint64_t pos = b->random ? xorshift(&b->rng) % b->nslots : b->next_seq++ % b->nslots;

	sl->t0 = now_ns();
	b->busy++;
	if (ini_lun_rw(&b->l, b->write, pos * b->blocks_per_io, (uint32_t)b->blocks_per_io, sl->buf,
		       false, io_done, sl) < 0) {
		b->busy--;
		b->failed = true;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t pct(const struct bench *b, double p)
{
	size_t i = (size_t)(p / 100.0 * (double)(b->nlat - 1) + 0.5);
	return b->nlat ? b->lat[MIN(i, b->nlat - 1)] : 0;
}

static void report(struct bench *b, const char *rw, double secs)
{
	uint64_t sum = 0;

	qsort(b->lat, b->nlat, sizeof(*b->lat), cmp_u64);
	for (size_t i = 0; i < b->nlat; i++)
		sum += b->lat[i];
	printf("%s: bs=%llu qd=%llu time=%.1fs ios=%llu\n", rw, (unsigned long long)b->bs,
	       (unsigned long long)b->qd, secs, (unsigned long long)b->ios);
	printf("  IOPS: %.0f\n", secs > 0 ? (double)b->ios / secs : 0.0);
	printf("  throughput: %.1f MB/s\n", secs > 0 ? (double)b->bytes / 1e6 / secs : 0.0);
	printf("  latency (us): avg %llu p50 %llu p99 %llu p99.9 %llu max %llu\n",
	       (unsigned long long)(b->nlat ? sum / b->nlat : 0), (unsigned long long)pct(b, 50),
	       (unsigned long long)pct(b, 99), (unsigned long long)pct(b, 99.9),
	       (unsigned long long)(b->nlat ? b->lat[b->nlat - 1] : 0));
}

static int parse(int argc, char **argv, struct tool_opts *o, struct bench *b, const char **rw)
{
	static const struct option longopts[] = {{"rw", required_argument, NULL, 'r'},
						 {"bs", required_argument, NULL, 'b'},
						 {"qd", required_argument, NULL, 'q'},
						 {"time", required_argument, NULL, 't'},
						 COMMON_LONGOPTS,
						 {NULL, 0, NULL, 0}};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'r') {
			*rw = optarg;
		} else if (c == 'b' || c == 'q' || c == 't') {
			if (parse_size(optarg, &v) < 0 || v == 0)
				return help_usage_error("bench", "not a positive number: %s",
							optarg);
			*(c == 'b' ? &b->bs : c == 'q' ? &b->qd : &b->secs) = v;
		} else if (opts_common(o, c, optarg, "bench") < 0) {
			return -1;
		}
	}
	if (optind != argc - 1)
		return help_usage_error("bench", "expected exactly one URL");
	if (strcmp(*rw, "read") && strcmp(*rw, "write") && strcmp(*rw, "randread") &&
	    strcmp(*rw, "randwrite"))
		return help_usage_error("bench", "--rw must be read, write, randread or randwrite");
	if (b->qd > 1024 || b->bs > (64u << 20) || b->secs > 86400)
		return help_usage_error("bench", "--qd at most 1024, --bs at most 64M");
	b->write = strstr(*rw, "write") != NULL;
	b->random = strncmp(*rw, "rand", 4) == 0;
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	struct bench b = {.bs = 4096, .qd = 16, .secs = 10, .rng = 88172645463325252ull};
	const char *rw = "randread";
	struct ini_session *s;
	struct bslot *slots;
	struct tool_opts o;
	uint64_t t0;
	int rc = 0;

	opts_init(&o);
	if (parse(argc, argv, &o, &b, &rw) < 0)
		return EXIT_USAGE;
	s = tool_open_lun(&o, argv[optind], &b.l);
	if (s == NULL)
		return 1;
	if (b.bs % b.l.block_size || b.bs > b.l.blocks * b.l.block_size) {
		tool_err("--bs %llu must be a multiple of the block size %u and fit the LUN",
			 (unsigned long long)b.bs, b.l.block_size);
		tool_logout(s);
		return 1;
	}
	b.blocks_per_io = b.bs / b.l.block_size;
	b.nslots = b.l.blocks / b.blocks_per_io;
	chap_random(&b.rng, sizeof(b.rng));
	b.rng |= 1;
	slots = xcalloc(b.qd, sizeof(*slots));
	t0 = now_ms();
	b.end_ms = t0 + b.secs * 1000;
	for (uint64_t i = 0; i < b.qd; i++) {
		slots[i].b = &b;
		slots[i].buf = xmalloc(b.bs);
		memset(slots[i].buf, (int)(0xa5 ^ i), b.bs);
		submit(&slots[i]);
	}
	while (b.busy && !b.failed) {
		bool never = false;
		ini_wait(s, &never, 100);
		if (ini_session_failed(s)) {
			tool_err("bench: %s", ini_session_error(s));
			b.failed = true;
		}
	}
	if (!b.failed)
		report(&b, rw, (double)(now_ms() - t0) / 1000.0);
	else
		rc = 1;
	for (uint64_t i = 0; i < b.qd; i++)
		free(slots[i].buf);
	free(slots);
	free(b.lat);
	tool_logout(s);
	return rc;
}
