/* Executing one control request against the configuration's JSON form.
 * The caller (the server) turns the running config into JSON, lets a
 * request edit it, and, if it changed, validates and activates the result
 * as a whole; a request that fails changes nothing. */
#ifndef LUNA_CONTROL_OPS_H
#define LUNA_CONTROL_OPS_H

#include <jansson.h>
#include <stdbool.h>

#include "control/request.h"
#include "control/tree.h"

struct luna_config;

struct ctl_ctx {
	json_t *root;		       /* edited in place */
	const struct luna_config *cfg; /* the running config: real sizes, saveconfig */
	const char *config_path;       /* default file of saveconfig, or NULL */
	bool changed;		       /* root was edited */
	json_t *result;		       /* the reply's "result", or NULL */
	json_t *notes;		       /* things reported but not fatal */
	char msg[512];		       /* the reply's "message" */
};

/* Returns 0, or -1 with a message in err. */
int ctl_execute(struct ctl_ctx *c, const struct ctl_request *req, char *err, size_t errlen);

/* Per-verb handlers (ops_*.c). */
int ctl_create(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a, char *err,
	       size_t errlen);
int ctl_delete(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a, char *err,
	       size_t errlen);
int ctl_set(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a, char *err,
	    size_t errlen);
int ctl_get(struct ctl_ctx *c, const struct ctl_node *n, const struct ctl_args *a, char *err,
	    size_t errlen);
int ctl_import(struct ctl_ctx *c, json_t *incoming, char *err, size_t errlen);
/* The tree under n as {"name", "summary", "children": [...]}, depth levels
 * deep (-1: all). */
json_t *ctl_ls(struct ctl_ctx *c, const struct ctl_node *n, int depth);

/* Helpers shared by the handlers. */
int ctl_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
long ctl_lowest_free_index(json_t *arr);
/* The real size of a storage object of the running config (0 if unknown). */
uint64_t ctl_so_size(const struct ctl_ctx *c, const char *plugin, const char *name);

#endif
