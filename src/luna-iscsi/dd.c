/* dd: copy between files and LUNs, with several commands in flight. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "luna-iscsi/endpoint.h"

enum slot_state { SLOT_FREE, SLOT_READING, SLOT_WRITING };

struct dd;

struct slot {
	struct dd *dd;
	enum slot_state state;
	uint8_t *buf;
	uint64_t in_off, out_off; /* bytes */
	uint32_t len;		  /* bytes of data */
	uint32_t wlen;		  /* bytes written (padded to the output's block) */
};

struct dd {
	struct endpoint in, out;
	uint64_t bs, count, skip, seek, bwlimit;
	unsigned qd;
	bool progress;
	uint64_t next;	  /* next input offset, relative to the start */
	uint64_t total;	  /* bytes to copy; UINT64_MAX: until the input ends */
	uint64_t done;	  /* bytes written */
	uint64_t started; /* bytes read or being read */
	bool eof, failed;
	unsigned busy;
	uint64_t t0, last_draw;
	struct slot *slots;
};

static void write_slot(struct slot *sl);

static void slot_free(struct slot *sl, const char *err)
{
	struct dd *d = sl->dd;

	if (err && !d->failed) {
		tool_err("%s: %s", sl->state == SLOT_READING ? d->in.name : d->out.name, err);
		d->failed = true;
	}
	if (!err)
		d->done += sl->len;
	sl->state = SLOT_FREE;
	d->busy--;
}

static void write_done(void *arg, const char *err)
{
	slot_free(arg, err);
}

static void read_done(void *arg, const char *err)
{
	struct slot *sl = arg;

	if (err) {
		slot_free(sl, err);
		return;
	}
	write_slot(sl);
}

static void write_slot(struct slot *sl)
{
	struct dd *d = sl->dd;
	struct endpoint *o = &d->out;

	sl->state = SLOT_WRITING;
	if (!o->is_lun) {
		ssize_t w = pwrite(o->fd, sl->buf, sl->len, (off_t)sl->out_off);
		slot_free(sl,
			  w == (ssize_t)sl->len ? NULL : (w < 0 ? strerror(errno) : "short write"));
		return;
	}
	sl->wlen = (uint32_t)ALIGN_UP((uint64_t)sl->len, (uint64_t)o->l.block_size);
	memset(sl->buf + sl->len, 0, sl->wlen - sl->len); /* a last partial block */
	if (ini_lun_rw(&o->l, true, sl->out_off / o->l.block_size, sl->wlen / o->l.block_size,
		       sl->buf, false, write_done, sl) < 0)
		slot_free(sl, "the data goes beyond the end of the output LUN");
}

/* Start reading the next chunk into a free slot.  false: nothing left. */
static bool read_slot(struct dd *d, struct slot *sl)
{
	uint64_t n = d->bs;

	if (d->eof || d->next >= d->total)
		return false;
	n = MIN(n, d->total - d->next);
	sl->in_off = d->skip * d->bs + d->next;
	sl->out_off = d->seek * d->bs + d->next;
	sl->state = SLOT_READING;
	d->busy++;
	if (!d->in.is_lun) {
		ssize_t r = pread(d->in.fd, sl->buf, n, (off_t)sl->in_off);
		if (r <= 0) {
			d->eof = true;
			if (r < 0) {
				slot_free(sl, strerror(errno));
			} else {
				sl->state = SLOT_FREE;
				d->busy--;
			}
			return false;
		}
		sl->len = (uint32_t)r;
		d->next += (uint64_t)r;
		d->started += (uint64_t)r;
		write_slot(sl);
		return true;
	}
	sl->len = (uint32_t)n;
	d->next += n;
	d->started += n;
	if (ini_lun_rw(&d->in.l, false, sl->in_off / d->in.l.block_size,
		       (uint32_t)(n / d->in.l.block_size), sl->buf, false, read_done, sl) < 0)
		slot_free(sl, "the input LUN ended");
	return true;
}

static void draw(struct dd *d, bool final)
{
	uint64_t now = now_ms();
	double secs = (double)(now - d->t0) / 1000.0;
	double mib = (double)d->done / 1048576.0;

	if (!d->progress || (!final && now - d->last_draw < 200))
		return;
	d->last_draw = now;
	if (d->total != UINT64_MAX) {
		int pct = (int)(d->total ? d->done * 100 / d->total : 100);
		char bar[31];
		memset(bar, ' ', 30);
		memset(bar, '#', (size_t)(pct * 30 / 100));
		bar[30] = '\0';
		fprintf(stderr, "\r[%s] %3d%% %.1f MiB %.1f MiB/s ", bar, pct, mib,
			secs > 0 ? mib / secs : 0.0);
	} else {
		fprintf(stderr, "\r%.1f MiB %.1f MiB/s ", mib, secs > 0 ? mib / secs : 0.0);
	}
	if (final)
		fputc('\n', stderr);
}

/* How long to hold back to stay under --bwlimit. */
static int throttle_ms(struct dd *d)
{
	uint64_t allowed;

	if (!d->bwlimit)
		return 0;
	allowed = d->bwlimit * (now_ms() - d->t0) / 1000;
	if (d->started < allowed)
		return 0;
	return (int)MAX((uint64_t)1, (d->started - allowed) * 1000 / d->bwlimit);
}

static int copy(struct dd *d)
{
	while (!d->failed) {
		int wait = throttle_ms(d);
		for (unsigned i = 0; i < d->qd && !wait && !d->failed; i++)
			if (d->slots[i].state == SLOT_FREE && !read_slot(d, &d->slots[i]))
				break;
		if (d->busy == 0 && (d->eof || d->next >= d->total))
			break;
		if (ep_poll(&d->in, &d->out, wait ? wait : (d->progress ? 200 : 1000)) < 0)
			d->failed = true;
		draw(d, false);
	}
	return d->failed ? -1 : 0;
}

struct flush_wait {
	bool done;
	char err[INI_ERR_MAX];
};

static void flush_done(void *arg, const char *err)
{
	struct flush_wait *w = arg;

	w->done = true;
	if (err)
		snprintf(w->err, sizeof(w->err), "%s", err);
}

/* SYNCHRONIZE CACHE on an output LUN, fsync on a file. */
static int finish(struct dd *d)
{
	struct flush_wait w = {false, ""};

	if (!d->out.is_lun) {
		if (fsync(d->out.fd) < 0 && errno != EINVAL) {
			tool_err("%s: fsync: %s", d->out.name, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (ini_lun_flush(&d->out.l, flush_done, &w) < 0)
		return -1;
	while (!w.done)
		if (ep_poll(NULL, &d->out, 1000) < 0)
			return -1;
	if (w.err[0])
		tool_err("%s: SYNCHRONIZE CACHE: %s", d->out.name, w.err);
	return w.err[0] ? -1 : 0;
}

static int parse(int argc, char **argv, struct tool_opts *o, struct dd *d, const char **in,
		 const char **out)
{
	static const struct option longopts[] = {{"if", required_argument, NULL, 'i'},
						 {"of", required_argument, NULL, 'o'},
						 {"bs", required_argument, NULL, 'b'},
						 {"count", required_argument, NULL, 'c'},
						 {"skip", required_argument, NULL, 's'},
						 {"seek", required_argument, NULL, 'S'},
						 {"qd", required_argument, NULL, 'q'},
						 {"bwlimit", required_argument, NULL, 'w'},
						 {"progress", no_argument, NULL, 'p'},
						 {"no-progress", no_argument, NULL, 'n'},
						 COMMON_LONGOPTS,
						 {NULL, 0, NULL, 0}};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'i' || c == 'o') {
			*(c == 'i' ? in : out) = optarg;
		} else if (c == 'p' || c == 'n') {
			d->progress = c == 'p';
		} else if (strchr("bcsSqw", c)) {
			if (parse_size(optarg, &v) < 0)
				return help_usage_error("dd", "not a number or size: %s", optarg);
			if (c == 'b')
				d->bs = v;
			else if (c == 'c')
				d->count = v;
			else if (c == 's')
				d->skip = v;
			else if (c == 'S')
				d->seek = v;
			else if (c == 'q')
				d->qd = (unsigned)MIN(v, (uint64_t)256);
			else
				d->bwlimit = v;
		} else if (opts_common(o, c, optarg, "dd") < 0) {
			return -1;
		}
	}
	if (optind != argc || !*in || !*out)
		return help_usage_error("dd", "give --if and --of, and nothing else");
	if (d->bs == 0 || d->bs > (64u << 20) || d->qd == 0)
		return help_usage_error("dd", "--bs must be 1 byte to 64M and --qd at least 1");
	return 0;
}

/* --bs must suit the LUNs on either side. */
static int check_bs(struct dd *d)
{
	struct endpoint *e[2] = {&d->in, &d->out};

	for (int i = 0; i < 2; i++)
		if (e[i]->is_lun && d->bs % e[i]->l.block_size) {
			tool_err("--bs %llu is not a multiple of %s's block size %u",
				 (unsigned long long)d->bs, e[i]->name, e[i]->l.block_size);
			return -1;
		}
	if (d->in.is_lun) {
		uint64_t size = d->in.l.blocks * d->in.l.block_size;
		uint64_t start = d->skip * d->bs;
		d->total = MIN(d->total, start < size ? size - start : 0);
	}
	return 0;
}

int cmd_dd(int argc, char **argv)
{
	struct dd d = {.bs = 1 << 20, .qd = 8, .progress = isatty(2) != 0};
	const char *in = NULL, *out = NULL;
	struct tool_opts o;
	int rc = 1;

	opts_init(&o);
	if (parse(argc, argv, &o, &d, &in, &out) < 0)
		return EXIT_USAGE;
	d.total = d.count ? d.count * d.bs : UINT64_MAX;
	if (ep_open(&d.in, &o, in, false) < 0)
		return 1;
	if (ep_open(&d.out, &o, out, true) < 0) {
		ep_close(&d.in);
		return 1;
	}
	if (check_bs(&d) == 0) {
		d.slots = xcalloc(d.qd, sizeof(*d.slots));
		for (unsigned i = 0; i < d.qd; i++) {
			d.slots[i].dd = &d;
			/* room for padding a last partial block up to the LUN's block */
			d.slots[i].buf = xcalloc(1, d.bs + 65536);
		}
		d.t0 = now_ms();
		if (copy(&d) == 0 && finish(&d) == 0)
			rc = 0;
		draw(&d, true);
		double secs = (double)(now_ms() - d.t0) / 1000.0;
		fprintf(stderr, "%llu bytes (%.1f MiB) copied, %.2f s, %.1f MiB/s\n",
			(unsigned long long)d.done, (double)d.done / 1048576.0, secs,
			secs > 0 ? (double)d.done / 1048576.0 / secs : 0.0);
		for (unsigned i = 0; i < d.qd; i++)
			free(d.slots[i].buf);
		free(d.slots);
	}
	ep_close(&d.in);
	ep_close(&d.out);
	return rc;
}
