/* Dispatch of control requests, and the verbs that need no tree edits:
 * ls, saveconfig, info. */
#include "control/ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backstore/backstore.h"
#include "config/config.h"
#include "scsi/lu.h"

int ctl_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

long ctl_lowest_free_index(json_t *arr)
{
	long i = 0;

	while (ctl_find_by_index(arr, i))
		i++;
	return i;
}

uint64_t ctl_so_size(const struct ctl_ctx *c, const char *plugin, const char *name)
{
	for (unsigned i = 0; c->cfg && i < c->cfg->n_storage; i++) {
		const struct cfg_storage *so = &c->cfg->storage[i];
		if (strcmp(so->plugin, plugin) == 0 && strcmp(so->name, name) == 0)
			return so->lu && so->lu->bs ? so->lu->bs->size : so->size;
	}
	return 0;
}

static int do_saveconfig(struct ctl_ctx *c, const struct ctl_request *req, char *err, size_t errlen)
{
	const char *path = req->file ? req->file : c->config_path;
	char why[512];

	if (path == NULL)
		return ctl_err(err, errlen,
			       "saveconfig: lunad runs without a configuration file (--demo); "
			       "name a file: saveconfig FILE");
	if (c->cfg == NULL)
		return ctl_err(err, errlen, "saveconfig: no configuration is active");
	if (config_save_file(c->cfg, path, why, sizeof(why)) < 0)
		return ctl_err(err, errlen, "saveconfig: %s", why);
	snprintf(c->msg, sizeof(c->msg), "Configuration saved to %s", path);
	return 0;
}

static int do_ls(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a, char *err,
		 size_t errlen)
{
	static const char *const names[] = {"depth", NULL};
	const char *d;
	int depth = -1;

	if (ctl_args_check(a, names, "ls", err, errlen) < 0)
		return -1;
	d = ctl_arg(a, names, "depth");
	if (d && sscanf(d, "%d", &depth) != 1)
		return ctl_err(err, errlen, "ls: depth must be a number");
	c->result = ctl_ls(c, n, depth);
	return 0;
}

static int dispatch(struct ctl_ctx *c, const struct ctl_request *req, const struct ctl_node *n,
		    const struct ctl_args *a, char *err, size_t errlen)
{
	const char *cmd = req->cmd;

	if (strcmp(cmd, "ls") == 0)
		return do_ls(c, n, a, err, errlen);
	if (strcmp(cmd, "children") == 0) {
		c->result = ctl_children(c->root, n);
		return 0;
	}
	if (strcmp(cmd, "create") == 0)
		return ctl_create(c, n, a, err, errlen);
	if (strcmp(cmd, "delete") == 0)
		return ctl_delete(c, n, a, err, errlen);
	if (strcmp(cmd, "set") == 0 || strcmp(cmd, "enable") == 0 || strcmp(cmd, "disable") == 0)
		return ctl_set(c, n, a, err, errlen);
	if (strcmp(cmd, "get") == 0)
		return ctl_get(c, n, a, err, errlen);
	return ctl_err(err, errlen,
		       "unknown command \"%s\" (commands: ls, cd, create, delete, set, get, "
		       "enable, disable, saveconfig, import, help, exit)",
		       cmd);
}

int ctl_execute(struct ctl_ctx *c, const struct ctl_request *req, char *err, size_t errlen)
{
	struct ctl_node n;
	struct ctl_args a;
	int r;

	if (strcmp(req->cmd, "saveconfig") == 0)
		return do_saveconfig(c, req, err, errlen);
	if (strcmp(req->cmd, "import") == 0) {
		if (req->config == NULL)
			return ctl_err(err, errlen, "import: the request has no \"config\" object");
		return ctl_import(c, req->config, err, errlen);
	}
	if (strcmp(req->cmd, "info") == 0) {
		c->result = json_pack("{s:s?}", "config_file", c->config_path);
		return 0;
	}
	if (ctl_resolve(c->root, req->path, &n, err, errlen) < 0)
		return -1;
	if (ctl_args_parse(req->args, &a, err, errlen) < 0)
		return -1;
	if (strcmp(req->cmd, "enable") == 0 || strcmp(req->cmd, "disable") == 0) {
		/* sugar for "set enable=..." */
		if (n.kind != CTL_TPG || a.npos || a.nkv) {
			ctl_args_free(&a);
			return ctl_err(err, errlen, "%s: only a TPG can be %sd, without arguments",
				       req->cmd, req->cmd);
		}
		a.key[0] = "enable";
		a.val[0] = strcmp(req->cmd, "enable") == 0 ? "1" : "0";
		a.nkv = 1;
	}
	r = dispatch(c, req, &n, &a, err, errlen);
	ctl_args_free(&a);
	return r;
}
