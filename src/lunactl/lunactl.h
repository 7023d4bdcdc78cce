/* lunactl: the management tool of lunad, a client of its control socket.
 * Commands are targetcli's: "[PATH] COMMAND [ARGS...]". */
#ifndef LUNA_LUNACTL_LUNACTL_H
#define LUNA_LUNACTL_LUNACTL_H

#include <stdbool.h>

#include "control/tree.h"
#include "lunactl/client.h"

struct lunactl {
	struct ctl_conn conn;
	const char *socket;
	bool json; /* print replies as JSON */
	bool interactive;
	bool quit;
	char cwd[CTL_PATH_MAX];
};

extern const char lunactl_help[];

/* Run one command (words as the shell split them).  Returns 0, or 1 after
 * printing an error. */
int lunactl_run(struct lunactl *l, int argc, char **argv);

/* The interactive shell. */
int lunactl_shell(struct lunactl *l);

/* Split a command line into words: blanks separate, '...' and "..."
 * quote.  Returns the word count (at most max), or -1 on an unclosed
 * quote.  The words point into buf, which is modified. */
int lunactl_split(char *buf, char **words, int max);

#endif
