/* The configuration object model: lifetime and the lookups the transport
 * makes at login. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/model.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"

static void free_tpg(struct cfg_tpg *tpg)
{
	for (unsigned i = 0; i < tpg->n_acls; i++)
		free(tpg->acls[i].mapped);
	free(tpg->acls);
	free(tpg->portals);
	free(tpg->luns);
	free(tpg->params);
}

void config_free(struct luna_config *cfg)
{
	if (cfg == NULL)
		return;
	for (unsigned i = 0; i < cfg->n_storage; i++) {
		if (cfg->storage[i].lu)
			scsi_lu_put(cfg->storage[i].lu);
		free(cfg->storage[i].dev);
	}
	free(cfg->storage);
	for (unsigned t = 0; t < cfg->n_targets; t++) {
		for (unsigned g = 0; g < cfg->targets[t].n_tpgs; g++)
			free_tpg(&cfg->targets[t].tpgs[g]);
		free(cfg->targets[t].tpgs);
	}
	free(cfg->targets);
	for (unsigned i = 0; i < cfg->n_notes; i++)
		free(cfg->notes[i]);
	free(cfg->notes);
	free(cfg);
}

void config_get(struct luna_config *cfg)
{
	atomic_fetch_add(&cfg->refcnt, 1);
}

void config_put(struct luna_config *cfg)
{
	if (cfg && atomic_fetch_sub(&cfg->refcnt, 1) == 1)
		config_free(cfg);
}

const struct cfg_target *config_find_target(const struct luna_config *cfg, const char *wwn)
{
	if (cfg == NULL || wwn == NULL)
		return NULL;
	for (unsigned i = 0; i < cfg->n_targets; i++)
		if (strcmp(cfg->targets[i].wwn, wwn) == 0)
			return &cfg->targets[i];
	return NULL;
}

const struct cfg_tpg *config_find_tpg(const struct cfg_target *t, uint16_t tag)
{
	for (unsigned i = 0; t && i < t->n_tpgs; i++)
		if (t->tpgs[i].tag == tag)
			return &t->tpgs[i];
	return NULL;
}

/* A local address as the family it really is: an IPv4-mapped IPv6 address
 * (from a dual-stack socket) is IPv4. */
static int local_family(const struct sockaddr *sa, struct in_addr *v4, struct in6_addr *v6,
			uint16_t *port)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
		*v4 = s->sin_addr;
		*port = ntohs(s->sin_port);
		return AF_INET;
	}
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	*port = ntohs(s6->sin6_port);
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		memcpy(v4, &s6->sin6_addr.s6_addr[12], 4);
		return AF_INET;
	}
	*v6 = s6->sin6_addr;
	return AF_INET6;
}

static bool portal_matches(const struct cfg_portal *p, int fam, const struct in_addr *v4,
			   const struct in6_addr *v6, uint16_t port)
{
	if (p->port != port)
		return false;
	if (p->addr.ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)&p->addr)->sin6_addr;
		/* "::" listens dual-stack on Linux: it serves IPv4 as well. */
		if (IN6_IS_ADDR_UNSPECIFIED(a))
			return true;
		return fam == AF_INET6 && memcmp(a, v6, sizeof(*a)) == 0;
	}
	const struct in_addr *a = &((const struct sockaddr_in *)&p->addr)->sin_addr;
	return fam == AF_INET && (a->s_addr == htonl(INADDR_ANY) || a->s_addr == v4->s_addr);
}

const struct cfg_tpg *config_tpg_for_addr(const struct cfg_target *t, const struct sockaddr *local,
					  socklen_t len)
{
	struct in_addr v4 = {0};
	struct in6_addr v6 = IN6ADDR_ANY_INIT;
	uint16_t port;
	int fam;

	if (t == NULL || local == NULL ||
	    (local->sa_family == AF_INET && len < (socklen_t)sizeof(struct sockaddr_in)) ||
	    (local->sa_family == AF_INET6 && len < (socklen_t)sizeof(struct sockaddr_in6)) ||
	    (local->sa_family != AF_INET && local->sa_family != AF_INET6))
		return NULL;
	fam = local_family(local, &v4, &v6, &port);
	for (unsigned i = 0; i < t->n_tpgs; i++) {
		const struct cfg_tpg *tpg = &t->tpgs[i];
		if (!tpg->enable)
			continue;
		for (unsigned j = 0; j < tpg->n_portals; j++)
			if (portal_matches(&tpg->portals[j], fam, &v4, &v6, port))
				return tpg;
	}
	return NULL;
}

const struct cfg_acl *config_find_acl(const struct cfg_tpg *tpg, const char *initiator)
{
	if (tpg == NULL || initiator == NULL)
		return NULL;
	for (unsigned i = 0; i < tpg->n_acls; i++)
		if (strcmp(tpg->acls[i].node_wwn, initiator) == 0)
			return &tpg->acls[i];
	return NULL;
}

bool config_initiator_allowed(const struct cfg_tpg *tpg, const char *initiator)
{
	return tpg && (config_find_acl(tpg, initiator) || tpg->generate_node_acls);
}

const struct cfg_lun *config_find_tpg_lun(const struct cfg_tpg *tpg, uint32_t index)
{
	for (unsigned i = 0; i < tpg->n_luns; i++)
		if (tpg->luns[i].index == index)
			return &tpg->luns[i];
	return NULL;
}

static struct scsi_lun_map *acl_map(const struct cfg_tpg *tpg, const struct cfg_acl *acl)
{
	struct scsi_lun_map *map = scsi_lun_map_new(acl->n_mapped);

	for (unsigned i = 0; i < acl->n_mapped; i++) {
		const struct cfg_mapped_lun *m = &acl->mapped[i];
		const struct cfg_lun *l = config_find_tpg_lun(tpg, m->tpg_lun);
		scsi_lun_map_set(map, i, m->index, l ? l->so->lu : NULL, m->write_protect);
	}
	return map;
}

static struct scsi_lun_map *demo_map(const struct cfg_tpg *tpg)
{
	struct scsi_lun_map *map = scsi_lun_map_new(tpg->n_luns);

	for (unsigned i = 0; i < tpg->n_luns; i++)
		scsi_lun_map_set(map, i, tpg->luns[i].index, tpg->luns[i].so->lu,
				 tpg->demo_mode_write_protect);
	return map;
}

struct scsi_lun_map *config_lun_map(const struct cfg_tpg *tpg, const char *initiator)
{
	const struct cfg_acl *acl = config_find_acl(tpg, initiator);
	struct scsi_lun_map *map;

	if (acl)
		map = acl_map(tpg, acl);
	else if (tpg && tpg->generate_node_acls)
		map = demo_map(tpg);
	else
		return NULL;
	scsi_lun_map_sort(map);
	return map;
}

const char *config_tpg_param(const struct cfg_tpg *tpg, const char *key)
{
	for (unsigned i = 0; tpg && key && i < tpg->n_params; i++)
		if (strcmp(tpg->params[i].key, key) == 0)
			return tpg->params[i].value;
	return NULL;
}
