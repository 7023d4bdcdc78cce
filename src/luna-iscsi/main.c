/* luna-iscsi SUBCOMMAND [OPTIONS]: the user-space initiator tool. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "luna-iscsi/tool.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
} cmds[] = {
    {"discover", cmd_discover}, {"ls", cmd_ls}, {"inq", cmd_inq},
    {"readcap", cmd_readcap},	{"dd", cmd_dd}, {"bench", cmd_bench},
    {"nbd", cmd_nbd},
};

int main(int argc, char **argv)
{
	/* A closed socket is an error to report, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		help_print(argc > 2 ? argv[2] : NULL);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("luna-iscsi 0.1.0");
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	return help_usage_error(NULL, "unknown subcommand \"%s\"", argv[1]);
}
