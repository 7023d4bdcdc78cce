/* A place dd reads from or writes to: a file or a LUN, and the poll loop
 * that drives the LUNs' sessions. */
#ifndef LUNA_ISCSI_ENDPOINT_H
#define LUNA_ISCSI_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "luna-iscsi/tool.h"

struct endpoint {
	const char *name;
	bool is_lun;
	int fd;
	struct ini_session *s;
	struct ini_lun l;
};

/* Open a path (for reading, or for writing: created) or log in to a URL. */
int ep_open(struct endpoint *e, struct tool_opts *o, const char *name, bool output);
void ep_close(struct endpoint *e);

/* Poll the sessions of up to two endpoints for at most timeout_ms and
 * service them.  Returns -1 when a session failed (message printed). */
int ep_poll(struct endpoint *a, struct endpoint *b, int timeout_ms);

#endif
