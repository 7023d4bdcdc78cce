/* lunad: the Luna iSCSI target daemon. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backstore/backstore.h"
#include "common/log.h"
#include "common/util.h"
#include "config/config.h"
#include "device/sanitize_job.h"
#include "control/control.h"
#include "iscsi/conn.h"
#include "iscsi/session.h"
#include "net/listener.h"
#include "net/loop.h"
#include "net/worker.h"
#include "scsi/pr.h"
#include "scsi/scsi_cmd.h"

#define SHUTDOWN_WAIT_MS 6000

static const char usage[] =
	"usage: lunad --config FILE | --demo [options]\n"
	"\n"
	"Luna's iSCSI target daemon.  Runs in the foreground and logs to stderr.\n"
	"\n"
	"  -c, --config FILE   serve the configuration in FILE (JSON shaped like LIO's\n"
	"                      saveconfig.json); SIGHUP reads it again\n"
	"  -d, --demo          serve the embedded demo: a 1 GiB RAM disk as LUN 0 of\n"
	"                      iqn.2025-01.io.luna:demo on 127.0.0.1:3260\n"
	"  -C, --control PATH  the management socket lunactl talks to (default\n"
	"                      /run/luna/lunad.sock; root only)\n"
	"  -S, --state-dir DIR where persistent reservations with APTPL are kept\n"
	"                      (default /var/lib/luna)\n"
	"  -w, --workers N     worker threads (default: one per CPU)\n"
	"  -v, --verbose       log debugging detail\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n"
	"\n"
	"Signals: SIGTERM or SIGINT shut down cleanly (sessions are asked to log\n"
	"out, in-flight commands finish); SIGHUP re-reads the configuration file and\n"
	"applies the changes without dropping sessions.\n";

struct daemon_state {
	struct loop *loop;
	const char *config_path;
	struct loop_fd sigfd;
	int sig;
	bool stopping;
	struct loop_timer stop_timer;
	uint64_t stop_deadline;
	struct control_server *control;
};

/* The portals of every enabled TPG. */
static struct listen_addr *collect_portals(const struct luna_config *cfg, unsigned *n)
{
	unsigned cap = 0, count = 0;
	struct listen_addr *out;

	for (unsigned i = 0; i < cfg->n_targets; i++)
		for (unsigned j = 0; j < cfg->targets[i].n_tpgs; j++)
			cap += cfg->targets[i].tpgs[j].n_portals;
	out = xcalloc(cap ? cap : 1, sizeof(*out));
	for (unsigned i = 0; i < cfg->n_targets; i++) {
		for (unsigned j = 0; j < cfg->targets[i].n_tpgs; j++) {
			const struct cfg_tpg *tpg = &cfg->targets[i].tpgs[j];
			if (!tpg->enable)
				continue;
			for (unsigned k = 0; k < tpg->n_portals; k++) {
				memcpy(&out[count].addr, &tpg->portals[k].addr,
				       tpg->portals[k].addrlen);
				out[count].len = tpg->portals[k].addrlen;
				count++;
			}
		}
	}
	*n = count;
	return out;
}

static int apply_portals(struct daemon_state *d, const struct luna_config *cfg)
{
	unsigned n;
	struct listen_addr *addrs = collect_portals(cfg, &n);
	char err[256];
	int r = listeners_sync(d->loop, addrs, n, iscsi_conn_accept, err, sizeof(err));

	if (r < 0)
		log_err("%s", err);
	free(addrs);
	return r;
}

static int control_portals(void *arg, const struct luna_config *cfg)
{
	return apply_portals(arg, cfg);
}

/* The management socket.  Failing to open one that was asked for is
 * fatal; the default one is only warned about (another lunad may own it). */
static int start_control(struct daemon_state *d, const char *path)
{
	char err[256];

	d->control = control_start(d->loop, path ? path : CONTROL_DEFAULT_PATH, d->config_path,
				   control_portals, d, err, sizeof(err));
	if (d->control || path == NULL) {
		if (d->control == NULL)
			log_warn("no control socket, lunactl cannot reach this lunad: %s", err);
		return 0;
	}
	log_err("%s", err);
	return -1;
}

static void print_how_to_connect(const struct luna_config *cfg)
{
	for (unsigned i = 0; i < cfg->n_targets; i++) {
		const struct cfg_target *t = &cfg->targets[i];
		for (unsigned j = 0; j < t->n_tpgs; j++) {
			const struct cfg_tpg *tpg = &t->tpgs[j];
			char addr[80];
			if (!tpg->enable || tpg->n_portals == 0)
				continue;
			format_sockaddr((const struct sockaddr *)&tpg->portals[0].addr, addr,
					sizeof(addr));
			fprintf(stderr,
				"lunad: serving %s on %s (%u LUN%s)\n"
				"  connect with:\n"
				"    iscsiadm -m discovery -t sendtargets -p %s\n"
				"    iscsiadm -m node -T %s -p %s --login\n"
				"    iscsi-ls -s iscsi://%s/%s\n"
				"    qemu-img info iscsi://%s/%s/%u\n",
				t->wwn, addr, tpg->n_luns, tpg->n_luns == 1 ? "" : "s", addr,
				t->wwn, addr, addr, t->wwn, addr, t->wwn,
				tpg->n_luns ? tpg->luns[0].index : 0);
		}
	}
}

/* What other layers keep per worker thread goes when the thread ends. */
static void worker_thread_exit(void)
{
	backstore_thread_fini();
	scsi_buf_pool_drain();
}

static struct luna_config *load(const char *path, const struct luna_config *reuse)
{
	char err[512];
	struct luna_config *cfg;

	if (path)
		cfg = config_load_file(path, reuse, err, sizeof(err));
	else
		cfg = config_parse(config_demo_json(), reuse, err, sizeof(err));
	if (cfg == NULL)
		/* The config layer's messages name the file already. */
		log_err("%s%s", path ? "" : "demo configuration: ", err);
	return cfg;
}

static void reload(struct daemon_state *d)
{
	struct luna_config *cur = config_current();
	struct luna_config *cfg;

	if (d->config_path == NULL) {
		log_info("SIGHUP: the demo configuration has no file to re-read");
		config_put(cur);
		return;
	}
	log_info("SIGHUP: re-reading %s", d->config_path);
	cfg = load(d->config_path, cur);
	config_put(cur);
	if (cfg == NULL) {
		log_err("configuration not changed: fix the file and send SIGHUP again");
		return;
	}
	if (apply_portals(d, cfg) < 0) {
		log_err("configuration not changed: a portal could not be opened");
		config_put(cfg);
		return;
	}
	config_activate(cfg);
	log_info("configuration reloaded");
}

static void check_stopped(void *arg)
{
	struct daemon_state *d = arg;

	if (iscsi_conn_total() == 0 || now_ms() >= d->stop_deadline) {
		if (iscsi_conn_total())
			log_warn("%u connection%s still open at exit", iscsi_conn_total(),
				 iscsi_conn_total() == 1 ? "" : "s");
		loop_stop(d->loop);
		return;
	}
	loop_timer_add(d->loop, &d->stop_timer, 50, check_stopped, d);
}

static void shutdown_start(struct daemon_state *d)
{
	if (d->stopping)
		return;
	d->stopping = true;
	log_info("shutting down: asking initiators to log out");
	listeners_close_all(d->loop);
	workers_post_all(iscsi_conn_shutdown_all, NULL);
	d->stop_deadline = now_ms() + SHUTDOWN_WAIT_MS;
	loop_timer_add(d->loop, &d->stop_timer, 50, check_stopped, d);
}

static void on_signal(void *arg, uint32_t events)
{
	struct daemon_state *d = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(d->sigfd.fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP && !d->stopping)
			reload(d);
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			shutdown_start(d);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"demo", no_argument, NULL, 'd'},
		{"workers", required_argument, NULL, 'w'}, {"state-dir", required_argument, NULL, 'S'},
		{"control", required_argument, NULL, 'C'}, {"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},	   {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	struct daemon_state d = {0};
	bool demo = false;
	unsigned nworkers = 0;
	const char *control_path = NULL;
	const char *state_dir = "/var/lib/luna";
	struct luna_config *cfg;
	sigset_t mask;
	int c, sfd;

	while ((c = getopt_long(argc, argv, "c:dw:C:S:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'd':
			demo = true;
			break;
		case 'w':
			nworkers = (unsigned)strtoul(optarg, NULL, 10);
			if (nworkers == 0 || nworkers > 256) {
				fprintf(stderr, "lunad: --workers takes a number from 1 to 256\n");
				return 2;
			}
			break;
		case 'C':
			control_path = optarg;
			break;
		case 'S':
			state_dir = optarg;
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("lunad %s\n", LUNA_VERSION);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc || demo == (d.config_path != NULL)) {
		fprintf(stderr, "lunad: give exactly one of --config FILE or --demo\n\n%s", usage);
		return 2;
	}

	/* Signals arrive through a signalfd on the main loop; the workers
	 * inherit the blocked mask and never see them. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Before any LU exists: LUs load their saved reservations from here. */
	if (mkdir(state_dir, 0700) < 0 && errno != EEXIST)
		log_warn("cannot create state directory %s: %s (persistent reservations with "
			 "APTPL cannot be saved; use --state-dir)",
			 state_dir, strerror(errno));
	scsi_pr_set_state_dir(state_dir);

	cfg = load(d.config_path, NULL);
	if (cfg == NULL)
		return 1;
	d.loop = loop_new();
	if (apply_portals(&d, cfg) < 0) {
		config_put(cfg);
		return 1;
	}
	if (workers_start(nworkers, worker_thread_exit) < 0) {
		listeners_close_all(d.loop);
		config_put(cfg);
		return 1;
	}
	config_activate(cfg);
	if (start_control(&d, control_path) < 0) {
		workers_stop();
		listeners_close_all(d.loop);
		config_activate(NULL);
		return 1;
	}
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	loop_fd_add(d.loop, &d.sigfd, sfd, EPOLLIN, on_signal, &d);
	cfg = config_current();
	print_how_to_connect(cfg);
	config_put(cfg);
	log_info("lunad %s ready", LUNA_VERSION);

	loop_run(d.loop);

	control_stop(d.control);
	workers_stop();
	/* Sanitize jobs nobody waits for any more end with the daemon. */
	sanitize_jobs_abandon();
	listeners_close_all(d.loop);
	close(sfd);
	loop_free(d.loop);
	config_activate(NULL);
	log_info("lunad stopped");
	return 0;
}
