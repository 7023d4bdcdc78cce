/* lunactl's side of the control socket: connect, send one request line,
 * read one reply line. */
#ifndef LUNA_LUNACTL_CLIENT_H
#define LUNA_LUNACTL_CLIENT_H

#include <jansson.h>
#include <stddef.h>

struct ctl_conn {
	int fd;
	char *buf;
	size_t len, cap;
};

/* Returns 0, or -1 with a message in err. */
int ctl_connect(struct ctl_conn *c, const char *path, char *err, size_t errlen);
void ctl_close(struct ctl_conn *c);
/* Send req (not consumed) and return the parsed reply (new reference), or
 * NULL with a message in err. */
json_t *ctl_call(struct ctl_conn *c, json_t *req, char *err, size_t errlen);

#endif
