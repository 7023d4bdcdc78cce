/* The interactive shell: libedit line editing, history in
 * ~/.lunactl_history, and tab completion of commands, paths (asked of
 * lunad) and setting groups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* libedit's readline interface */
#include <editline/readline.h>

#include "lunactl/lunactl.h"

#define MAX_WORDS 64

static struct lunactl *shell;
static json_t *candidates;

static const char *const commands[] = {"cd",   "ls",	 "create",  "delete",	  "set",
				       "get",  "enable", "disable", "saveconfig", "import",
				       "help", "exit",	 "pwd",	    NULL};
static const char *const groups[] = {"attribute", "parameter", "auth", "discovery_auth", NULL};

static void add_list(const char *prefix, const char *const *list)
{
	for (unsigned i = 0; list[i]; i++)
		if (strncmp(list[i], prefix, strlen(prefix)) == 0)
			json_array_append_new(candidates, json_string(list[i]));
}

/* Children of the directory part of a path being typed, as completions. */
static void add_paths(const char *text)
{
	char dir[CTL_PATH_MAX], err[256], abs[CTL_PATH_MAX];
	const char *slash = strrchr(text, '/');
	const char *base = slash ? slash + 1 : text;
	json_t *req, *reply, *v;
	size_t i;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - text + 1) : 0, text);
	if (ctl_path_normalize(shell->cwd, dir[0] ? dir : ".", abs, sizeof(abs)) < 0)
		return;
	if (shell->conn.fd < 0 && ctl_connect(&shell->conn, shell->socket, err, sizeof(err)) < 0)
		return;
	req = json_pack("{s:s,s:s}", "cmd", "children", "path", abs);
	reply = ctl_call(&shell->conn, req, err, sizeof(err));
	json_decref(req);
	json_array_foreach(json_object_get(reply, "result"), i, v)
	{
		const char *name = json_string_value(v);
		if (strncmp(name, base, strlen(base)) == 0)
			json_array_append_new(candidates, json_sprintf("%s%s/", dir, name));
	}
	json_decref(reply);
}

static char *generate(const char *text, int state)
{
	static size_t next;

	(void)text; /* the candidates were filtered already */
	if (state == 0)
		next = 0;
	if (next < json_array_size(candidates))
		return strdup(json_string_value(json_array_get(candidates, next++)));
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	char line[1024];
	char *words[MAX_WORDS];
	int n;

	(void)end;
	snprintf(line, sizeof(line), "%.*s", start, rl_line_buffer);
	n = lunactl_split(line, words, MAX_WORDS);
	json_decref(candidates);
	candidates = json_array();
	if (n > 0 && words[0][0] == '/') /* a leading path does not count */
		n--;
	if (strchr(text, '/') || text[0] == '.' ||
	    (n > 0 && (strcmp(words[n - 1 + (words[0][0] == '/')], "cd") == 0 ||
		       strcmp(words[n - 1 + (words[0][0] == '/')], "ls") == 0)))
		add_paths(text);
	else if (n <= 0) {
		add_list(text, commands);
		add_paths(text);
	} else {
		add_list(text, groups);
		add_paths(text);
	}
	rl_attempted_completion_over = 1;
	return rl_completion_matches(text, generate);
}

static char *history_file(void)
{
	const char *home = getenv("HOME");
	char *p;

	if (home == NULL)
		return NULL;
	if (asprintf(&p, "%s/.lunactl_history", home) < 0)
		return NULL;
	return p;
}

int lunactl_shell(struct lunactl *l)
{
	char *hist = history_file(), *line, prompt[CTL_PATH_MAX + 4];
	char *words[MAX_WORDS];
	int status = 0;

	shell = l;
	rl_readline_name = "lunactl";
	rl_attempted_completion_function = complete;
	using_history();
	if (hist)
		read_history(hist);
	while (!l->quit) {
		int n;
		snprintf(prompt, sizeof(prompt), "%s> ", l->cwd);
		line = readline(prompt);
		if (line == NULL) {
			putchar('\n');
			break;
		}
		if (line[0])
			add_history(line);
		n = lunactl_split(line, words, MAX_WORDS);
		if (n < 0)
			fputs("lunactl: unclosed quote\n", stderr);
		else
			status = lunactl_run(l, n, words);
		free(line);
	}
	if (hist) {
		write_history(hist);
		free(hist);
	}
	json_decref(candidates);
	return status;
}
