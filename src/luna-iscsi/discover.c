/* discover HOST[:PORT] and ls URL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "initiator/cdb.h"
#include "initiator/neg.h"
#include "luna-iscsi/tool.h"

/* One target portal of a SendTargets answer. */
struct st_entry {
	char target[INI_NAME_MAX];
	char addr[INI_HOST_MAX + 16];
};

struct st_list {
	struct st_entry *e;
	size_t n, cap;
};

static void st_add(const char *target, const char *addr, void *arg)
{
	struct st_list *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
		if (l->e == NULL)
			abort();
	}
	strlcpy_luna(l->e[l->n].target, target, sizeof(l->e[0].target));
	strlcpy_luna(l->e[l->n].addr, addr, sizeof(l->e[0].addr));
	l->n++;
}

/* Log in for discovery and collect the targets.  Returns 0 or -1. */
static int discover(struct tool_opts *o, struct st_list *l)
{
	struct ini_session *s;
	const char *why;
	uint8_t *text;
	size_t len;
	char target[INI_NAME_MAX];
	int rc = -1;

	/* A discovery session names no target. */
	strlcpy_luna(target, o->cfg.target_name, sizeof(target));
	o->cfg.target_name[0] = '\0';
	s = tool_login(o);
	strlcpy_luna(o->cfg.target_name, target, sizeof(o->cfg.target_name));
	if (s == NULL)
		return -1;
	if (ini_sendtargets_sync(s, &text, &len) < 0) {
		tool_err("SendTargets: %s", ini_session_error(s));
	} else if (ini_sendtargets_parse(text, len, st_add, l, &why) < 0) {
		tool_err("malformed SendTargets answer from %s: %s", o->cfg.host, why);
		free(text);
	} else {
		free(text);
		rc = 0;
	}
	tool_logout(s);
	return rc;
}

static int parse_args(int argc, char **argv, struct tool_opts *o, const char *cmd)
{
	static const struct option longopts[] = {COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
	int c;

	opts_init(o);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		if (opts_common(o, c, optarg, cmd) < 0)
			return -1;
	if (optind != argc - 1)
		return help_usage_error(cmd, "expected exactly one %s",
					strcmp(cmd, "ls") == 0 ? "URL" : "HOST[:PORT]");
	return 0;
}

int cmd_discover(int argc, char **argv)
{
	struct tool_opts o;
	struct st_list l = {0};
	struct ini_url u = {0};
	const char *why;

	if (parse_args(argc, argv, &o, "discover") < 0)
		return EXIT_USAGE;
	if (ini_is_url(argv[optind])) {
		if (opts_apply_url(&o, argv[optind], &u, false, false) < 0)
			return 1;
	} else {
		if (ini_portal_parse(argv[optind], o.cfg.host, sizeof(o.cfg.host), &o.cfg.port,
				     &why) < 0)
			return help_usage_error("discover", "%s: %s", argv[optind], why);
		if (opts_apply_url(&o, "iscsi://x", &u, false, false) < 0)
			return 1;
		ini_portal_parse(argv[optind], o.cfg.host, sizeof(o.cfg.host), &o.cfg.port, &why);
	}
	o.cfg.recovery_timeout_ms = 0;
	if (discover(&o, &l) < 0)
		return 1;
	for (size_t i = 0; i < l.n; i++)
		printf("%s %s\n", l.e[i].addr, l.e[i].target);
	free(l.e);
	return 0;
}

static void human(uint64_t bytes, char *buf, size_t n)
{
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	double v = (double)bytes;
	unsigned u = 0;

	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, "%.2f %s", v, units[u]);
}

static void ls_lun(struct ini_session *s, uint64_t lun)
{
	struct ini_scsi_status st = {0};
	struct scsi_inquiry inq;
	struct ini_lun l;
	uint8_t cdb[6], b[96];

	cdb_inquiry(cdb, false, 0, sizeof(b));
	if (ini_scsi_sync(s, lun, cdb, 6, INI_DIR_READ, b, sizeof(b), &st) < 0 || st.status != 0 ||
	    scsi_parse_inquiry(b, st.data_len, &inq) < 0) {
		printf("  Lun %llu: (no INQUIRY data)\n", (unsigned long long)lun);
		return;
	}
	if (inq.pdt == 0 || inq.pdt == 5 || inq.pdt == 7 || inq.pdt == 0xe) {
		char err[INI_ERR_MAX];

		if (ini_lun_open(s, lun, &l, err, sizeof(err)) == 0) {
			char size[32];

			human(l.blocks * l.block_size, size, sizeof(size));
			printf("  Lun %llu: %s %llu bytes (%s) %s %s\n", (unsigned long long)lun,
			       scsi_pdt_name(inq.pdt),
			       (unsigned long long)(l.blocks * l.block_size), size, inq.vendor,
			       inq.product);
			return;
		}
	}
	printf("  Lun %llu: %s %s %s\n", (unsigned long long)lun, scsi_pdt_name(inq.pdt),
	       inq.vendor, inq.product);
}

/* Log in to one target and list its LUNs. */
static int ls_target(struct tool_opts *o, const char *target, const char *addr)
{
	struct ini_scsi_status st = {0};
	struct ini_session *s;
	uint8_t cdb[12], *b;
	uint64_t luns[256];
	size_t total;
	int n;

	strlcpy_luna(o->cfg.target_name, target, sizeof(o->cfg.target_name));
	s = tool_login(o);
	if (s == NULL)
		return -1;
	if (addr)
		printf("Target: %s Portal: %s\n", target, addr);
	else
		printf("Target: %s Portal: %s:%u,%u\n", target, o->cfg.host, o->cfg.port,
		       ini_session_tpgt(s));
	b = xcalloc(1, 8 + 8 * 256);
	cdb_report_luns(cdb, 8 + 8 * 256);
	if (ini_scsi_sync(s, 0, cdb, 12, INI_DIR_READ, b, 8 + 8 * 256, &st) < 0 || st.status ||
	    (n = scsi_parse_report_luns(b, st.data_len, luns, 256, &total)) < 0) {
		tool_err("%s: REPORT LUNS failed", target);
		free(b);
		tool_logout(s);
		return -1;
	}
	for (int i = 0; i < n; i++)
		ls_lun(s, luns[i]);
	free(b);
	tool_logout(s);
	return 0;
}

int cmd_ls(int argc, char **argv)
{
	struct tool_opts o;
	struct st_list l = {0};
	struct ini_url u;
	int rc = 0;

	if (parse_args(argc, argv, &o, "ls") < 0)
		return EXIT_USAGE;
	if (opts_apply_url(&o, argv[optind], &u, false, false) < 0)
		return 1;
	o.cfg.recovery_timeout_ms = 0;
	if (u.target[0])
		return ls_target(&o, u.target, NULL) < 0 ? 1 : 0;
	if (discover(&o, &l) < 0)
		return 1;
	for (size_t i = 0; i < l.n; i++) {
		/* A target listed at several portals is shown once. */
		if (i > 0 && strcmp(l.e[i].target, l.e[i - 1].target) == 0)
			continue;
		if (ls_target(&o, l.e[i].target, l.e[i].addr) < 0)
			rc = 1;
	}
	free(l.e);
	return rc;
}
