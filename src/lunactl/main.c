/* lunactl: manage lunad while it runs (see help.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "lunactl/lunactl.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
					     {"json", no_argument, NULL, 'j'},
					     {"help", no_argument, NULL, 'h'},
					     {"version", no_argument, NULL, 'V'},
					     {NULL, 0, NULL, 0}};
	struct lunactl l = {.conn = {.fd = -1}, .cwd = "/"};
	int c, r;

	l.socket = getenv("LUNACTL_SOCKET") ? getenv("LUNACTL_SOCKET") : CONTROL_DEFAULT_PATH;
	/* "+": options end at the first word, so "set x=-1" is not an option. */
	while ((c = getopt_long(argc, argv, "+s:jhV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			l.socket = optarg;
			break;
		case 'j':
			l.json = true;
			break;
		case 'h':
			fputs(lunactl_help, stdout);
			return 0;
		case 'V':
			printf("lunactl %s\n", LUNA_VERSION);
			return 0;
		default:
			fputs("Try 'lunactl --help'.\n", stderr);
			return 2;
		}
	}
	if (optind == argc) {
		l.interactive = true;
		r = lunactl_shell(&l);
	} else {
		r = lunactl_run(&l, argc - optind, argv + optind);
	}
	ctl_close(&l.conn);
	return r;
}
