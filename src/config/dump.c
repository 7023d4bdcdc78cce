/* The configuration back into saveconfig.json shape, for `lunactl
 * saveconfig`.  Only what Luna keeps is written; LIO attributes that were
 * ignored on load are not invented back. */
#include <jansson.h>
#include <stdlib.h>

#include "config/config.h"
#include "config/model.h"

static void set_str_if(json_t *o, const char *key, const char *v)
{
	if (v && v[0])
		json_object_set_new(o, key, json_string(v));
}

static void dump_chap(json_t *o, const char *prefix, const struct cfg_chap *chap)
{
	char k[64];

	snprintf(k, sizeof(k), "%suserid", prefix);
	set_str_if(o, k, chap->userid);
	snprintf(k, sizeof(k), "%spassword", prefix);
	set_str_if(o, k, chap->password);
	snprintf(k, sizeof(k), "%smutual_userid", prefix);
	set_str_if(o, k, chap->mutual_userid);
	snprintf(k, sizeof(k), "%smutual_password", prefix);
	set_str_if(o, k, chap->mutual_password);
}

static json_t *dump_storage(const struct cfg_storage *so)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(so->name));
	json_object_set_new(o, "plugin", json_string(so->plugin));
	set_str_if(o, "dev", so->dev);
	if (so->size)
		json_object_set_new(o, "size", json_integer((json_int_t)so->size));
	json_object_set_new(o, "thin", json_boolean(so->thin));
	json_object_set_new(o, "readonly", json_boolean(so->readonly));
	json_object_set_new(o, "removable", json_boolean(so->removable));
	json_object_set_new(o, "write_back", json_boolean(so->write_back));
	json_object_set_new(o, "direct", json_boolean(so->direct));
	set_str_if(o, "wwn", so->wwn);
	if (so->block_size || so->physical_block_size) {
		json_t *attrs = json_object();
		if (so->block_size)
			json_object_set_new(attrs, "block_size", json_integer(so->block_size));
		if (so->physical_block_size)
			json_object_set_new(attrs, "physical_block_size",
					    json_integer(so->physical_block_size));
		json_object_set_new(o, "attributes", attrs);
	}
	return o;
}

static json_t *dump_acl(const struct cfg_acl *acl)
{
	json_t *o = json_object(), *ml = json_array();

	json_object_set_new(o, "node_wwn", json_string(acl->node_wwn));
	dump_chap(o, "chap_", &acl->chap);
	for (unsigned i = 0; i < acl->n_mapped; i++)
		json_array_append_new(ml,
				      json_pack("{s:i,s:i,s:b}", "index", (int)acl->mapped[i].index,
						"tpg_lun", (int)acl->mapped[i].tpg_lun,
						"write_protect", acl->mapped[i].write_protect));
	json_object_set_new(o, "mapped_luns", ml);
	return o;
}

static json_t *dump_tpg(const struct cfg_tpg *tpg)
{
	json_t *o = json_object(), *a, *params = json_object();
	char path[160];

	json_object_set_new(o, "tag", json_integer(tpg->tag));
	json_object_set_new(o, "enable", json_boolean(tpg->enable));
	json_object_set_new(o, "attributes",
			    json_pack("{s:i,s:i,s:i}", "authentication", tpg->authentication,
				      "generate_node_acls", tpg->generate_node_acls,
				      "demo_mode_write_protect", tpg->demo_mode_write_protect));
	for (unsigned i = 0; i < tpg->n_params; i++)
		json_object_set_new(params, tpg->params[i].key, json_string(tpg->params[i].value));
	json_object_set_new(o, "parameters", params);
	dump_chap(o, "chap_", &tpg->chap);
	a = json_array();
	for (unsigned i = 0; i < tpg->n_portals; i++)
		json_array_append_new(a, json_pack("{s:s,s:i}", "ip_address", tpg->portals[i].ip,
						   "port", (int)tpg->portals[i].port));
	json_object_set_new(o, "portals", a);
	a = json_array();
	for (unsigned i = 0; i < tpg->n_luns; i++) {
		config_storage_path(tpg->luns[i].so, path, sizeof(path));
		json_array_append_new(a, json_pack("{s:i,s:s}", "index", (int)tpg->luns[i].index,
						   "storage_object", path));
	}
	json_object_set_new(o, "luns", a);
	a = json_array();
	for (unsigned i = 0; i < tpg->n_acls; i++)
		json_array_append_new(a, dump_acl(&tpg->acls[i]));
	json_object_set_new(o, "node_acls", a);
	return o;
}

static json_t *dump_fabric(const struct cfg_discovery *d)
{
	json_t *o =
	    json_pack("{s:s,s:b}", "name", "iscsi", "discovery_enable_auth", d->enable_auth);

	dump_chap(o, "discovery_", &d->chap);
	return o;
}

char *config_to_json(const struct luna_config *cfg)
{
	json_t *root = json_object(), *so = json_array(), *targets = json_array();
	char *text;

	for (unsigned i = 0; i < cfg->n_storage; i++)
		json_array_append_new(so, dump_storage(&cfg->storage[i]));
	for (unsigned i = 0; i < cfg->n_targets; i++) {
		const struct cfg_target *t = &cfg->targets[i];
		json_t *tpgs = json_array();
		for (unsigned j = 0; j < t->n_tpgs; j++)
			json_array_append_new(tpgs, dump_tpg(&t->tpgs[j]));
		json_array_append_new(targets, json_pack("{s:s,s:s,s:o}", "wwn", t->wwn, "fabric",
							 "iscsi", "tpgs", tpgs));
	}
	json_object_set_new(root, "fabric_modules", json_pack("[o]", dump_fabric(&cfg->discovery)));
	json_object_set_new(root, "storage_objects", so);
	json_object_set_new(root, "targets", targets);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return text;
}
