/* One request against the running configuration: its JSON form is edited
 * by the request, then parsed and validated as a whole (reusing the LUs of
 * storage objects that did not change), its portals opened, and it is
 * activated; live sessions get their new LUN maps and unit attentions.
 * Any failure leaves the running configuration as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "config/config.h"
#include "control/control.h"
#include "control/ops.h"
#include "control/server.h"

static int activate(struct control_server *s, struct ctl_ctx *c, char *err, size_t errlen)
{
	char *text = json_dumps(c->root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char why[1024];
	struct luna_config *cfg;

	if (text == NULL)
		return ctl_err(err, errlen, "out of memory");
	cfg = config_parse(text, c->cfg, why, sizeof(why));
	free(text);
	if (cfg == NULL)
		return ctl_err(err, errlen, "refused, nothing changed: %s", why);
	for (unsigned i = 0; i < cfg->n_notes; i++)
		json_array_append_new(c->notes, json_string(cfg->notes[i]));
	if (s->portals && s->portals(s->arg, cfg) < 0) {
		config_put(cfg);
		return ctl_err(err, errlen,
			       "refused, nothing changed: a portal could not be opened (lunad's "
			       "log says why; is the address local and the port free?)");
	}
	config_activate(cfg);
	return 0;
}

char *control_handle(struct control_server *s, const char *line, size_t len)
{
	struct ctl_request req;
	struct ctl_ctx c = {0};
	char err[1200];
	char *text, *reply;
	int r;

	if (ctl_request_parse(line, len, &req, err, sizeof(err)) < 0)
		return ctl_reply_error(err);
	c.cfg = config_current();
	text = c.cfg ? config_to_json(c.cfg) : NULL;
	c.root = text ? json_loads(text, 0, NULL) : json_object();
	free(text);
	c.config_path = s->config_path;
	c.notes = json_array();
	r = ctl_execute(&c, &req, err, sizeof(err));
	if (r == 0 && c.changed)
		r = activate(s, &c, err, sizeof(err));
	if (r == 0 && c.changed)
		log_info("control: %s %s: %s", req.cmd, req.path, c.msg); /* never the args */
	else if (r < 0)
		log_info("control: %s %s refused: %s", req.cmd, req.path, err);
	reply = r == 0 ? ctl_reply_ok(c.msg, c.result, c.notes) : ctl_reply_error(err);
	json_decref(c.result);
	json_decref(c.notes);
	json_decref(c.root);
	if (c.cfg)
		config_put((struct luna_config *)c.cfg);
	ctl_request_free(&req);
	return reply;
}
