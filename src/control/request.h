/* Control requests: one JSON object per line,
 *
 *   {"cmd": "create", "path": "/backstores/fileio",
 *    "args": ["name=f0", "file_or_dev=/srv/f0.img", "size=1G"]}
 *
 * and their arguments, given targetcli-style as positional words or
 * key=value words.  Replies are one JSON object per line:
 * {"ok": true, "message": ..., "result": ...} or {"ok": false, "error": ...}.
 * Pure functions: no sockets. */
#ifndef LUNA_CONTROL_REQUEST_H
#define LUNA_CONTROL_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define CTL_REQUEST_MAX (1024 * 1024) /* one request line, newline excluded */
#define CTL_ARGS_MAX 32

struct ctl_request {
	json_t *json; /* owns everything below */
	const char *cmd;
	const char *path; /* absolute; "/" when absent */
	json_t *args;	  /* array of strings (may be empty) */
	json_t *config;	  /* "import": the saveconfig.json object */
	const char *file; /* "saveconfig": where to (absolute), or NULL */
};

/* Parse and check one request line (without its newline).  Returns 0, or
 * -1 with a message in err. */
int ctl_request_parse(const char *line, size_t len, struct ctl_request *req, char *err,
		      size_t errlen);
void ctl_request_free(struct ctl_request *req);

/* Arguments split into positional words and key=value pairs. */
struct ctl_args {
	unsigned npos, nkv;
	const char *pos[CTL_ARGS_MAX];
	const char *key[CTL_ARGS_MAX];
	const char *val[CTL_ARGS_MAX];
	char *store;
};

/* Split args (an array of strings; NULL is none).  Returns 0, or -1. */
int ctl_args_parse(json_t *args, struct ctl_args *a, char *err, size_t errlen);
void ctl_args_free(struct ctl_args *a);
/* The value of parameter name: given as name=value, or as the positional
 * word at name's place in names (a NULL-terminated list).  NULL if not
 * given. */
const char *ctl_arg(const struct ctl_args *a, const char *const *names, const char *name);
/* Every key=value names a known parameter and there are no more positional
 * words than names.  Returns 0, or -1 with a message listing the names. */
int ctl_args_check(const struct ctl_args *a, const char *const *names, const char *what, char *err,
		   size_t errlen);

/* "true"/"false", "yes"/"no", "1"/"0", "on"/"off".  Returns 0 or -1. */
int ctl_parse_bool(const char *s, bool *out);

/* A reply line (malloc'd, ends in "\n"). */
char *ctl_reply_error(const char *msg);
char *ctl_reply_ok(const char *msg, json_t *result, json_t *notes);

#endif
