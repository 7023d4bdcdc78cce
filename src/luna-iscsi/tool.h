/* luna-iscsi: the initiator tool.  Each subcommand is one file; they share
 * the options that say how to reach and log in to a target (opts.c). */
#ifndef LUNA_ISCSI_TOOL_H
#define LUNA_ISCSI_TOOL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "initiator/initiator.h"
#include "initiator/lunio.h"
#include "initiator/url.h"

#define EXIT_USAGE 2

/* Options every subcommand takes. */
struct tool_opts {
	struct ini_config cfg;
	const char *chap_file;
	bool debug;
};

/* getopt_long entries of the common options, to append to a command's. */
#define COMMON_LONGOPTS                                                                            \
	{"initiator-name", required_argument, NULL, 0x100},                                        \
	    {"chap-file", required_argument, NULL, 0x101},                                         \
	    {"chap-alg", required_argument, NULL, 0x102},                                          \
	    {"header-digest", required_argument, NULL, 0x103},                                     \
	    {"data-digest", required_argument, NULL, 0x104}, {"debug", no_argument, NULL, 0x105},  \
	    {"help", no_argument, NULL, 'h'}, {"login-timeout", required_argument, NULL, 0x106},   \
	    {"recovery-timeout", required_argument, NULL, 0x107},                                  \
	{                                                                                          \
		"max-recv", required_argument, NULL, 0x108                                         \
	}

void opts_init(struct tool_opts *o);
/* Handle a common option; returns 0, or -1 (message printed). */
int opts_common(struct tool_opts *o, int opt, const char *arg, const char *cmd);
/* Fill cfg's portal, target and credentials from a URL and the CHAP file
 * and environment.  need_target: the URL must name a target; need_lun:
 * and a LUN.  Returns 0, or -1 (message printed). */
int opts_apply_url(struct tool_opts *o, const char *url, struct ini_url *u, bool need_target,
		   bool need_lun);

/* Log in (messages printed on failure).  NULL on failure. */
struct ini_session *tool_login(const struct tool_opts *o);
/* Log in and open the LUN of the URL. */
struct ini_session *tool_open_lun(struct tool_opts *o, const char *url, struct ini_lun *l);
void tool_logout(struct ini_session *s);

void help_print(const char *cmd);
int help_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tool_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int parse_count(const char *s, uint64_t *out);

int cmd_discover(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_inq(int argc, char **argv);
int cmd_readcap(int argc, char **argv);
int cmd_dd(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_nbd(int argc, char **argv);

#endif
