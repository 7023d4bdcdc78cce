/* Parsing and checking of control requests and their arguments. */
#include "control/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

static int fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

static int check_fields(struct ctl_request *req, char *err, size_t errlen)
{
	json_t *j = req->json, *v;
	size_t i;

	req->cmd = json_string_value(json_object_get(j, "cmd"));
	if (req->cmd == NULL || req->cmd[0] == '\0')
		return fail(err, errlen, "the request has no \"cmd\" string");
	v = json_object_get(j, "path");
	if (v && !json_is_string(v))
		return fail(err, errlen, "\"path\" must be a string");
	req->path = v ? json_string_value(v) : "/";
	if (req->path[0] != '/')
		return fail(err, errlen, "\"path\" must be absolute (start with /)");
	req->args = json_object_get(j, "args");
	if (req->args && !json_is_array(req->args))
		return fail(err, errlen, "\"args\" must be an array of strings");
	json_array_foreach(req->args, i, v)
	{
		if (!json_is_string(v))
			return fail(err, errlen, "\"args\" must be an array of strings");
	}
	req->config = json_object_get(j, "config");
	if (req->config && !json_is_object(req->config))
		return fail(err, errlen, "\"config\" must be a JSON object (a saveconfig.json)");
	v = json_object_get(j, "file");
	if (v && (!json_is_string(v) || json_string_value(v)[0] != '/'))
		return fail(err, errlen, "\"file\" must be an absolute path");
	req->file = v ? json_string_value(v) : NULL;
	return 0;
}

int ctl_request_parse(const char *line, size_t len, struct ctl_request *req, char *err,
		      size_t errlen)
{
	json_error_t je;

	memset(req, 0, sizeof(*req));
	if (len > CTL_REQUEST_MAX)
		return fail(err, errlen, "request longer than 1 MiB refused");
	req->json = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (req->json == NULL) {
		snprintf(err, errlen, "malformed JSON request at column %d: %s", je.column,
			 je.text);
		return -1;
	}
	if (!json_is_object(req->json)) {
		fail(err, errlen, "the request must be a JSON object");
		goto bad;
	}
	if (check_fields(req, err, errlen) < 0)
		goto bad;
	return 0;
bad:
	ctl_request_free(req);
	return -1;
}

void ctl_request_free(struct ctl_request *req)
{
	json_decref(req->json);
	memset(req, 0, sizeof(*req));
}

int ctl_args_parse(json_t *args, struct ctl_args *a, char *err, size_t errlen)
{
	size_t i, total = 0;
	json_t *v;
	char *p;

	memset(a, 0, sizeof(*a));
	if (json_array_size(args) > CTL_ARGS_MAX)
		return fail(err, errlen, "too many arguments");
	json_array_foreach(args, i, v) total += json_string_length(v) + 1;
	a->store = p = xmalloc(total + 1);
	json_array_foreach(args, i, v)
	{
		char *eq;
		memcpy(p, json_string_value(v), json_string_length(v) + 1);
		eq = strchr(p, '=');
		if (eq && eq != p) {
			*eq = '\0';
			a->key[a->nkv] = p;
			a->val[a->nkv++] = eq + 1;
		} else {
			a->pos[a->npos++] = p;
		}
		p += json_string_length(v) + 1;
	}
	return 0;
}

void ctl_args_free(struct ctl_args *a)
{
	free(a->store);
	a->store = NULL;
}

const char *ctl_arg(const struct ctl_args *a, const char *const *names, const char *name)
{
	for (unsigned i = 0; i < a->nkv; i++)
		if (strcmp(a->key[i], name) == 0)
			return a->val[i];
	for (unsigned i = 0; names && names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return i < a->npos ? a->pos[i] : NULL;
	return NULL;
}

static void list_names(const char *const *names, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned i = 0; names && names[i] && n < outlen; i++)
		n += (size_t)snprintf(out + n, outlen - n, "%s%s", i ? " " : "", names[i]);
	if (out[0] == '\0')
		snprintf(out, outlen, "no parameters");
}

int ctl_args_check(const struct ctl_args *a, const char *const *names, const char *what, char *err,
		   size_t errlen)
{
	unsigned count = 0;
	char list[256];

	while (names && names[count])
		count++;
	list_names(names, list, sizeof(list));
	if (a->npos > count) {
		snprintf(err, errlen, "%s: too many arguments (\"%s\"); it takes: %s", what,
			 a->pos[count], list);
		return -1;
	}
	for (unsigned i = 0; i < a->nkv; i++) {
		bool known = false;
		for (unsigned j = 0; j < count && !known; j++)
			known = strcmp(a->key[i], names[j]) == 0;
		if (!known) {
			snprintf(err, errlen, "%s: unknown parameter \"%s\"; it takes: %s", what,
				 a->key[i], list);
			return -1;
		}
		for (unsigned j = 0; j < a->npos; j++)
			if (strcmp(names[j], a->key[i]) == 0) {
				snprintf(err, errlen, "%s: \"%s\" given twice", what, a->key[i]);
				return -1;
			}
	}
	return 0;
}

int ctl_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on", NULL};
	static const char *const no[] = {"0", "false", "no", "off", NULL};

	for (unsigned i = 0; yes[i]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static char *dump_line(json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t n = text ? strlen(text) : 0;
	char *line = xmalloc(n + 2);

	memcpy(line, text ? text : "", n);
	line[n] = '\n';
	line[n + 1] = '\0';
	free(text);
	json_decref(o);
	return line;
}

char *ctl_reply_error(const char *msg)
{
	return dump_line(json_pack("{s:b,s:s}", "ok", 0, "error", msg));
}

char *ctl_reply_ok(const char *msg, json_t *result, json_t *notes)
{
	json_t *o = json_pack("{s:b}", "ok", 1);

	if (msg && msg[0])
		json_object_set_new(o, "message", json_string(msg));
	if (result)
		json_object_set(o, "result", result);
	if (notes && json_array_size(notes))
		json_object_set(o, "notes", notes);
	return dump_line(o);
}
