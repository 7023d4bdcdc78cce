/* The options shared by every subcommand: how to find the target, who we
 * are, and the CHAP credentials, which can come from the URL, a file or
 * the environment (so that secrets need not show in ps). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "initiator/initiator.h"
#include "luna-iscsi/tool.h"

void tool_err(const char *fmt, ...)
{
	va_list ap;

	fputs("luna-iscsi: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void opts_init(struct tool_opts *o)
{
	char host[64] = "localhost";

	memset(o, 0, sizeof(*o));
	ini_config_defaults(&o->cfg);
	gethostname(host, sizeof(host) - 1);
	for (char *p = host; *p; p++)
		*p = (char)(isalnum((unsigned char)*p) || *p == '-' || *p == '.' ? tolower(*p)
										 : '-');
	snprintf(o->cfg.initiator_name, sizeof(o->cfg.initiator_name),
		 "iqn.2025-01.io.luna:initiator-%s", host);
	log_set_level(LOG_LVL_WARN);
}

static int digest_opt(char *dst, size_t n, const char *arg, const char *cmd, const char *what)
{
	static const char *ok[] = {"None", "CRC32C", "CRC32C,None", "None,CRC32C"};

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (strcasecmp(arg, ok[i]) == 0) {
			strlcpy_luna(dst, ok[i], n);
			return 0;
		}
	return help_usage_error(cmd, "--%s must be None, CRC32C, CRC32C,None or None,CRC32C", what);
}

int parse_count(const char *s, uint64_t *out)
{
	return parse_size(s, out);
}

int opts_common(struct tool_opts *o, int opt, const char *arg, const char *cmd)
{
	uint64_t v;

	switch (opt) {
	case 0x100:
		if (strlen(arg) >= sizeof(o->cfg.initiator_name) || strlen(arg) < 4)
			return help_usage_error(cmd, "--initiator-name: not an iSCSI name");
		strlcpy_luna(o->cfg.initiator_name, arg, sizeof(o->cfg.initiator_name));
		return 0;
	case 0x101:
		o->chap_file = arg;
		return 0;
	case 0x102:
		if (ini_chap_parse_algs(arg, o->cfg.chap_algs, &o->cfg.n_chap_algs) < 0)
			return help_usage_error(cmd,
						"--chap-alg: use a list of MD5, SHA-1, SHA-256, "
						"SHA3-256 without repeats");
		return 0;
	case 0x103:
		return digest_opt(o->cfg.header_digest, sizeof(o->cfg.header_digest), arg, cmd,
				  "header-digest");
	case 0x104:
		return digest_opt(o->cfg.data_digest, sizeof(o->cfg.data_digest), arg, cmd,
				  "data-digest");
	case 0x105:
		o->debug = true;
		log_set_level(LOG_LVL_DEBUG);
		return 0;
	case 0x106:
	case 0x107:
		if (parse_size(arg, &v) < 0 || v > 86400)
			return help_usage_error(cmd, "timeouts are whole seconds up to 86400");
		if (opt == 0x106)
			o->cfg.login_timeout_ms = (unsigned)v * 1000;
		else
			o->cfg.recovery_timeout_ms = (unsigned)v * 1000;
		return 0;
	case 0x108:
		if (parse_size(arg, &v) < 0 || v < 512 || v > 16777215)
			return help_usage_error(cmd, "--max-recv must be 512 to 16777215 bytes");
		o->cfg.max_recv_dsl = (uint32_t)v;
		return 0;
	case 'h':
		help_print(cmd);
		exit(0);
	default:
		return help_usage_error(cmd, "unknown option");
	}
}

static void set_if_empty(char *dst, size_t n, const char *v)
{
	if (dst[0] == '\0' && v && *v)
		strlcpy_luna(dst, v, n);
}

/* key = value lines; '#' starts a comment. */
static int read_chap_file(struct tool_opts *o)
{
	struct ini_config *c = &o->cfg;
	char line[600];
	FILE *f = fopen(o->chap_file, "r");
	int lineno = 0;

	if (f == NULL) {
		tool_err("cannot open the CHAP file %s: %m", o->chap_file);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *k = line, *v, *e;

		lineno++;
		k += strspn(k, " \t");
		if (*k == '#' || *k == '\n' || *k == '\0')
			continue;
		v = strchr(k, '=');
		if (v == NULL) {
			tool_err("%s line %d: expected key = value", o->chap_file, lineno);
			fclose(f);
			return -1;
		}
		for (e = v; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		v++;
		v += strspn(v, " \t");
		v[strcspn(v, "\r\n")] = '\0';
		if (strcmp(k, "username") == 0 || strcmp(k, "user") == 0)
			set_if_empty(c->chap_user, sizeof(c->chap_user), v);
		else if (strcmp(k, "password") == 0)
			set_if_empty(c->chap_secret, sizeof(c->chap_secret), v);
		else if (strcmp(k, "mutual_username") == 0 || strcmp(k, "mutual_user") == 0)
			set_if_empty(c->mutual_user, sizeof(c->mutual_user), v);
		else if (strcmp(k, "mutual_password") == 0)
			set_if_empty(c->mutual_secret, sizeof(c->mutual_secret), v);
		else {
			tool_err("%s line %d: unknown key \"%s\" (use username, password, "
				 "mutual_username, mutual_password)",
				 o->chap_file, lineno, k);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

static int credentials(struct tool_opts *o, const struct ini_url *u)
{
	struct ini_config *c = &o->cfg;

	set_if_empty(c->chap_user, sizeof(c->chap_user), u->user);
	set_if_empty(c->chap_secret, sizeof(c->chap_secret), u->password);
	if (o->chap_file && read_chap_file(o) < 0)
		return -1;
	set_if_empty(c->chap_user, sizeof(c->chap_user), getenv("LUNA_CHAP_USER"));
	set_if_empty(c->chap_secret, sizeof(c->chap_secret), getenv("LUNA_CHAP_PASSWORD"));
	set_if_empty(c->mutual_user, sizeof(c->mutual_user), getenv("LUNA_CHAP_MUTUAL_USER"));
	set_if_empty(c->mutual_secret, sizeof(c->mutual_secret),
		     getenv("LUNA_CHAP_MUTUAL_PASSWORD"));
	if (c->chap_user[0] && !c->chap_secret[0]) {
		tool_err("CHAP user %s has no password (give it in the URL as user%%password, in "
			 "--chap-file or in LUNA_CHAP_PASSWORD)",
			 c->chap_user);
		return -1;
	}
	if (c->mutual_user[0] && (!c->chap_user[0] || !c->mutual_secret[0])) {
		tool_err("mutual CHAP needs both our CHAP user and password and the target's "
			 "mutual user and password");
		return -1;
	}
	return 0;
}

int opts_apply_url(struct tool_opts *o, const char *url, struct ini_url *u, bool need_target,
		   bool need_lun)
{
	const char *why;

	if (ini_url_parse(url, u, &why) < 0) {
		tool_err("bad URL %s: %s (expected "
			 "iscsi://[user[%%password]@]host[:port]/target-iqn/lun)",
			 url, why);
		return -1;
	}
	if (need_target && !u->target[0]) {
		tool_err("the URL %s names no target (iscsi://host[:port]/TARGET-IQN/LUN)", url);
		return -1;
	}
	if (need_lun && u->lun < 0) {
		tool_err("the URL %s names no LUN (iscsi://host[:port]/target-iqn/LUN)", url);
		return -1;
	}
	strlcpy_luna(o->cfg.host, u->host, sizeof(o->cfg.host));
	o->cfg.port = u->port;
	strlcpy_luna(o->cfg.target_name, u->target, sizeof(o->cfg.target_name));
	return credentials(o, u);
}

struct ini_session *tool_login(const struct tool_opts *o)
{
	struct ini_session *s = ini_session_new(&o->cfg);

	if (ini_login_sync(s) < 0) {
		tool_err("%s", ini_session_error(s));
		ini_session_free(s);
		return NULL;
	}
	return s;
}

struct ini_session *tool_open_lun(struct tool_opts *o, const char *url, struct ini_lun *l)
{
	struct ini_session *s;
	struct ini_url u;
	char err[INI_ERR_MAX];

	if (opts_apply_url(o, url, &u, true, true) < 0)
		return NULL;
	s = tool_login(o);
	if (s == NULL)
		return NULL;
	if (ini_lun_open(s, (uint64_t)u.lun, l, err, sizeof(err)) < 0) {
		tool_err("%s: %s", url, err);
		tool_logout(s);
		return NULL;
	}
	return s;
}

void tool_logout(struct ini_session *s)
{
	if (s && ini_session_logged_in(s))
		ini_logout_sync(s);
	ini_session_free(s);
}
