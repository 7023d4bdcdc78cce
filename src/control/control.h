/* The control socket: lunad's management interface.  A UNIX stream socket
 * (mode 0600, in a directory of mode 0700) takes JSON requests, one per
 * line, and answers each with one JSON line (see request.h).  It runs on
 * the daemon's main loop, which is the only place the configuration
 * changes. */
#ifndef LUNA_CONTROL_CONTROL_H
#define LUNA_CONTROL_CONTROL_H

#include <stddef.h>

struct loop;
struct luna_config;
struct control_server;

#define CONTROL_DEFAULT_PATH "/run/luna/lunad.sock"

/* Open the listeners a new config needs (and close the ones it does not);
 * returns 0, or -1 if a portal could not be opened. */
typedef int (*control_portals_fn)(void *arg, const struct luna_config *cfg);

/* Listen on path.  config_path (may be NULL) is where saveconfig writes by
 * default.  Returns NULL with a message in err. */
struct control_server *control_start(struct loop *loop, const char *path, const char *config_path,
				     control_portals_fn portals, void *arg, char *err,
				     size_t errlen);
/* Close every client and the socket, and remove it. */
void control_stop(struct control_server *s);

/* Execute one request line and return the reply line (malloc'd).  Used by
 * the server; exposed for tests. */
char *control_handle(struct control_server *s, const char *line, size_t len);

#endif
