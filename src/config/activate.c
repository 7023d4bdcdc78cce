/* The running configuration and its replacement.
 *
 * Readers (logins on any worker) take a reference under a mutex, so a swap
 * never frees a config someone is looking at.  After the swap every live
 * nexus gets the LUN map the new config gives it; that is how LUNs appear,
 * disappear or change under running sessions (the SCSI core raises REPORTED
 * LUNS DATA HAS CHANGED), and stores that grew announce CAPACITY DATA HAS
 * CHANGED. */
#include <pthread.h>

#include "common/log.h"
#include "config/config.h"
#include "config/model.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct luna_config *current;
static uint64_t generation;

struct luna_config *config_current(void)
{
	struct luna_config *cfg;

	pthread_mutex_lock(&current_lock);
	cfg = current;
	if (cfg)
		config_get(cfg);
	pthread_mutex_unlock(&current_lock);
	return cfg;
}

/* The map a session keeps after a change.  A session whose target or TPG is
 * gone, or whose initiator lost access, sees no LUNs (the transport decides
 * whether to end it); it must not keep reaching LUs that were removed. */
static void push_map(struct scsi_nexus *nx, void *arg)
{
	const struct luna_config *cfg = arg;
	const struct cfg_tpg *tpg =
	    config_find_tpg(config_find_target(cfg, nx->target_name), nx->tpgt);
	struct scsi_lun_map *map = NULL;

	if (tpg && tpg->enable)
		map = config_lun_map(tpg, nx->initiator_name);
	if (map == NULL)
		map = scsi_lun_map_new(0);
	scsi_nexus_set_map(nx, map);
}

void config_activate(struct luna_config *cfg)
{
	struct luna_config *old;

	pthread_mutex_lock(&current_lock);
	if (cfg)
		cfg->generation = ++generation;
	old = current;
	current = cfg;
	pthread_mutex_unlock(&current_lock);
	if (cfg == NULL) {
		/* Shutdown: drop the last configuration and its storage. */
		config_put(old);
		return;
	}

	for (unsigned i = 0; i < cfg->n_storage; i++)
		if (cfg->storage[i].grew)
			scsi_lu_capacity_changed(cfg->storage[i].lu);
	scsi_nexus_foreach(push_map, cfg);
	log_info("configuration %llu active: %u storage objects, %u targets",
		 (unsigned long long)cfg->generation, cfg->n_storage, cfg->n_targets);
	config_put(old);
}
