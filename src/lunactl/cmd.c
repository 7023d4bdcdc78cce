/* One lunactl command: words into a control request, the reply onto the
 * terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lunactl/lunactl.h"
#include "lunactl/render.h"

static bool is_path(const char *w)
{
	return w[0] == '/' || strcmp(w, ".") == 0 || strcmp(w, "..") == 0 ||
	       strncmp(w, "./", 2) == 0 || strncmp(w, "../", 3) == 0;
}

static int usage_error(const char *fmt, const char *arg)
{
	(void)fmt; /* always "%s" */
	fprintf(stderr, "lunactl: %s\n", arg);
	return 1;
}

/* A file name relative to lunactl's directory, made absolute for lunad. */
static char *absolute(const char *f)
{
	char cwd[4096];
	char *out;
	size_t n;

	if (f[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return strdup(f);
	n = strlen(cwd) + strlen(f) + 2;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s/%s", cwd, f);
	return out;
}

static json_t *arg_list(const char *path, int argc, char **argv)
{
	json_t *a = json_array();
	bool files =
	    strcmp(path, "/backstores/fileio") == 0 || strcmp(path, "/backstores/block") == 0;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		char *abs = NULL;
		/* file_or_dev / dev, by name or as the second word */
		if (files && strncmp(w, "file_or_dev=", 12) == 0 && w[12] && w[12] != '/') {
			abs = absolute(w + 12);
			json_array_append_new(a, json_sprintf("file_or_dev=%s", abs));
		} else if (files && strncmp(w, "dev=", 4) == 0 && w[4] && w[4] != '/') {
			abs = absolute(w + 4);
			json_array_append_new(a, json_sprintf("dev=%s", abs));
		} else if (files && i == 1 && !strchr(w, '=') && w[0] != '/') {
			abs = absolute(w);
			json_array_append_new(a, json_string(abs));
		} else {
			json_array_append_new(a, json_string(w));
		}
		free(abs);
	}
	return a;
}

static void print_get(json_t *res, const char *prefix)
{
	const char *k;
	json_t *v;

	json_object_foreach(res, k, v)
	{
		if (json_is_object(v)) {
			printf("%s%s:\n", prefix, k);
			print_get(v, "  ");
		} else if (json_is_string(v)) {
			printf("%s%s=%s\n", prefix, k, json_string_value(v));
		} else {
			char *s = json_dumps(v, JSON_ENCODE_ANY);
			printf("%s%s=%s\n", prefix, k, s ? s : "");
			free(s);
		}
	}
}

static int show(struct lunactl *l, const char *cmd, json_t *reply)
{
	json_t *res = json_object_get(reply, "result"), *notes = json_object_get(reply, "notes"),
	       *n;
	const char *msg = json_string_value(json_object_get(reply, "message"));
	bool ok = json_is_true(json_object_get(reply, "ok"));
	size_t i;

	if (l->json) {
		json_dumpf(ok && res ? res : reply, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		return ok ? 0 : 1;
	}
	if (!ok) {
		fprintf(stderr, "lunactl: %s\n",
			json_string_value(json_object_get(reply, "error")));
		return 1;
	}
	json_array_foreach(notes, i, n) fprintf(stderr, "note: %s\n", json_string_value(n));
	if (strcmp(cmd, "ls") == 0 && res)
		render_tree(stdout, res);
	else if (strcmp(cmd, "get") == 0 && res)
		print_get(res, "");
	if (msg)
		puts(msg);
	return 0;
}

/* Send req (consumed); the reply, or NULL after printing why. */
static json_t *request(struct lunactl *l, json_t *req)
{
	char err[512];
	json_t *reply;

	if (l->conn.fd < 0 && ctl_connect(&l->conn, l->socket, err, sizeof(err)) < 0) {
		json_decref(req);
		usage_error("%s", err);
		return NULL;
	}
	reply = ctl_call(&l->conn, req, err, sizeof(err));
	json_decref(req);
	if (reply == NULL) {
		ctl_close(&l->conn);
		usage_error("%s", err);
	}
	return reply;
}

static int call(struct lunactl *l, const char *cmd, json_t *req)
{
	json_t *reply = request(l, req);
	int r;

	if (reply == NULL)
		return 1;
	r = show(l, cmd, reply);
	json_decref(reply);
	return r;
}

static int do_import(struct lunactl *l, int argc, char **argv)
{
	json_error_t je;
	json_t *cfg;

	if (argc != 1)
		return usage_error("%s", "import takes one file: import FILE");
	cfg = json_load_file(argv[0], JSON_REJECT_DUPLICATES, &je);
	if (cfg == NULL)
		return je.line > 0 ? usage_error("%s", je.text) : usage_error("%s", je.text);
	return call(l, "import", json_pack("{s:s,s:o}", "cmd", "import", "config", cfg));
}

static int do_saveconfig(struct lunactl *l, int argc, char **argv)
{
	json_t *req = json_pack("{s:s}", "cmd", "saveconfig");
	char *f;

	if (argc > 1) {
		json_decref(req);
		return usage_error("%s", "saveconfig takes at most one file: saveconfig [FILE]");
	}
	if (argc == 1) {
		f = absolute(argv[0]);
		json_object_set_new(req, "file", json_string(f));
		free(f);
	}
	return call(l, "saveconfig", req);
}

static int do_cd(struct lunactl *l, const char *path, int argc, char **argv)
{
	char target[CTL_PATH_MAX];
	json_t *req, *reply;
	int r;

	if (argc > 1)
		return usage_error("%s", "cd takes one path");
	if (ctl_path_normalize(path, argc ? argv[0] : "/", target, sizeof(target)) < 0)
		return usage_error("%s", "path too long");
	/* Only a path that exists may become the current one. */
	req = json_pack("{s:s,s:s,s:[s]}", "cmd", "ls", "path", target, "args", "depth=0");
	reply = request(l, req);
	if (reply == NULL)
		return 1;
	r = json_is_true(json_object_get(reply, "ok")) ? 0 : show(l, "cd", reply);
	json_decref(reply);
	if (r == 0)
		snprintf(l->cwd, sizeof(l->cwd), "%s", target);
	return r;
}

static int do_ls(struct lunactl *l, const char *path, int argc, char **argv)
{
	char target[CTL_PATH_MAX];
	json_t *args = json_array();
	const char *where = ".";

	for (int i = 0; i < argc; i++) {
		if (strchr(argv[i], '='))
			json_array_append_new(args, json_string(argv[i]));
		else
			where = argv[i];
	}
	if (ctl_path_normalize(path, where, target, sizeof(target)) < 0) {
		json_decref(args);
		return usage_error("%s", "path too long");
	}
	return call(l, "ls", json_pack("{s:s,s:s,s:o}", "cmd", "ls", "path", target, "args", args));
}

int lunactl_run(struct lunactl *l, int argc, char **argv)
{
	char path[CTL_PATH_MAX];
	const char *cmd;

	if (argc == 0)
		return 0;
	snprintf(path, sizeof(path), "%s", l->cwd);
	if (is_path(argv[0])) {
		if (ctl_path_normalize(l->cwd, argv[0], path, sizeof(path)) < 0)
			return usage_error("%s", "path too long");
		argc--;
		argv++;
		if (argc == 0) /* a bare path: go there (shell) or show it */
			return l->interactive ? do_cd(l, path, 0, argv) : do_ls(l, path, 0, argv);
	}
	cmd = argv[0];
	argc--;
	argv++;
	if (strcmp(cmd, "help") == 0) {
		fputs(lunactl_help, stdout);
		return 0;
	}
	if (strcmp(cmd, "exit") == 0 || strcmp(cmd, "quit") == 0) {
		l->quit = true;
		return 0;
	}
	if (strcmp(cmd, "pwd") == 0) {
		puts(l->cwd);
		return 0;
	}
	if (strcmp(cmd, "cd") == 0)
		return do_cd(l, argc ? path : "/", argc, argv);
	if (strcmp(cmd, "ls") == 0)
		return do_ls(l, path, argc, argv);
	if (strcmp(cmd, "saveconfig") == 0)
		return do_saveconfig(l, argc, argv);
	if (strcmp(cmd, "import") == 0)
		return do_import(l, argc, argv);
	return call(l, cmd,
		    json_pack("{s:s,s:s,s:o}", "cmd", cmd, "path", path, "args",
			      arg_list(path, argc, argv)));
}

int lunactl_split(char *buf, char **words, int max)
{
	int n = 0;
	char *r = buf, *w = buf;

	while (*r) {
		char quote = 0;
		while (*r == ' ' || *r == '\t' || *r == '\n')
			r++;
		if (*r == '\0')
			break;
		if (n == max)
			return max;
		words[n++] = w;
		while (*r && (quote || (*r != ' ' && *r != '\t' && *r != '\n'))) {
			if (!quote && (*r == '\'' || *r == '"'))
				quote = *r++;
			else if (quote && *r == quote) {
				quote = 0;
				r++;
			} else {
				*w++ = *r++;
			}
		}
		if (quote)
			return -1;
		if (*r)
			r++;
		*w++ = '\0';
	}
	return n;
}
