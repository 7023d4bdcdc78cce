/* I_T nexuses: their identity, their LUN map and the global list of them. */
#include "scsi/nexus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scsi/lu.h"
#include "scsi/pr.h"
#include "scsi/sense.h"
#include "scsi/task_set.h"

/* Recursive: a callback of scsi_nexus_foreach() may end up here again (a
 * replaced map drops the last reference of an LU, whose unit attentions
 * are then purged from every nexus). */
static pthread_mutex_t nexus_list_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct list_node nexus_list = {&nexus_list, &nexus_list};
static atomic_uint_fast64_t next_nexus_id = 1;

struct scsi_nexus *scsi_nexus_new(const char *initiator_name, const uint8_t isid[6],
				  const char *target_name, uint16_t tpgt,
				  struct scsi_lun_map *map)
{
	struct scsi_nexus *nx = xcalloc(1, sizeof(*nx));

	nx->id = atomic_fetch_add(&next_nexus_id, 1);
	strlcpy_luna(nx->initiator_name, initiator_name, sizeof(nx->initiator_name));
	strlcpy_luna(nx->target_name, target_name, sizeof(nx->target_name));
	memcpy(nx->isid, isid, 6);
	nx->tpgt = tpgt;
	/* Relative target port identifiers start at 1; the TPG tag is the
	 * natural per-target number of a target port. */
	nx->rel_port_id = tpgt ? tpgt : 1;
	snprintf(nx->initiator_port, sizeof(nx->initiator_port),
		 "%s,i,0x%02x%02x%02x%02x%02x%02x", initiator_name, isid[0], isid[1], isid[2],
		 isid[3], isid[4], isid[5]);
	snprintf(nx->target_port, sizeof(nx->target_port), "%s,t,0x%04x", target_name, tpgt);
	pthread_mutex_init(&nx->map_lock, NULL);
	pthread_mutex_init(&nx->ua_lock, NULL);
	list_init(&nx->ua_list);
	atomic_init(&nx->ua_count, 0);
	atomic_init(&nx->refcnt, 1);
	nx->map = map;

	pthread_mutex_lock(&nexus_list_lock);
	list_add_tail(&nexus_list, &nx->node);
	pthread_mutex_unlock(&nexus_list_lock);
	return nx;
}

void scsi_nexus_get(struct scsi_nexus *nx)
{
	atomic_fetch_add(&nx->refcnt, 1);
}

static void nexus_destroy(struct scsi_nexus *nx)
{
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &nx->ua_list)
	{
		list_del(pos);
		free(list_entry(pos, struct scsi_ua, node));
	}
	scsi_lun_map_put(nx->map);
	pthread_mutex_destroy(&nx->map_lock);
	pthread_mutex_destroy(&nx->ua_lock);
	free(nx);
}

void scsi_nexus_put(struct scsi_nexus *nx)
{
	if (atomic_fetch_sub(&nx->refcnt, 1) == 1)
		nexus_destroy(nx);
}

void scsi_nexus_free(struct scsi_nexus *nx)
{
	struct scsi_lun_map *map;

	if (nx == NULL)
		return;
	pthread_mutex_lock(&nexus_list_lock);
	list_del(&nx->node);
	nx->gone = true;
	pthread_mutex_unlock(&nexus_list_lock);

	pthread_mutex_lock(&nx->map_lock);
	map = nx->map;
	if (map)
		scsi_lun_map_get(map);
	pthread_mutex_unlock(&nx->map_lock);
	if (map) {
		for (unsigned i = 0; i < map->count; i++)
			if (map->entries[i].lu) {
				scsi_task_set_nexus_loss(map->entries[i].lu, nx);
				scsi_resv_nexus_loss(map->entries[i].lu, nx);
			}
		scsi_lun_map_put(map);
	}
	scsi_nexus_put(nx);
}

static bool map_has_lu(const struct scsi_lun_map *map, const struct scsi_lu *lu)
{
	for (unsigned i = 0; map && i < map->count; i++)
		if (map->entries[i].lu == lu)
			return true;
	return false;
}

/* Did the set of (LUN, LU) pairs change?  Both maps are sorted. */
static bool maps_differ(const struct scsi_lun_map *a, const struct scsi_lun_map *b)
{
	unsigned na = a ? a->count : 0, nb = b ? b->count : 0;

	if (na != nb)
		return true;
	for (unsigned i = 0; i < na; i++)
		if (a->entries[i].lun != b->entries[i].lun || a->entries[i].lu != b->entries[i].lu)
			return true;
	return false;
}

void scsi_nexus_set_map(struct scsi_nexus *nx, struct scsi_lun_map *map)
{
	struct scsi_lun_map *old;
	bool changed;

	pthread_mutex_lock(&nx->map_lock);
	old = nx->map;
	nx->map = map;
	pthread_mutex_unlock(&nx->map_lock);

	changed = maps_differ(old, map);
	/* UAs of LUs this nexus no longer sees can never be reported. */
	for (unsigned i = 0; old && i < old->count; i++)
		if (old->entries[i].lu && !map_has_lu(map, old->entries[i].lu))
			scsi_ua_remove_lu(nx, old->entries[i].lu);
	/* SAM-5: the UA goes to every LU the nexus can reach. */
	for (unsigned i = 0; changed && map && i < map->count; i++)
		if (map->entries[i].lu)
			scsi_ua_add(nx, map->entries[i].lu, ASC_REPORTED_LUNS_CHANGED);
	scsi_lun_map_put(old);
}

bool scsi_nexus_sees_lu(struct scsi_nexus *nx, const struct scsi_lu *lu)
{
	bool r;

	pthread_mutex_lock(&nx->map_lock);
	r = map_has_lu(nx->map, lu);
	pthread_mutex_unlock(&nx->map_lock);
	return r;
}

struct scsi_lun_map *scsi_nexus_map(struct scsi_nexus *nx)
{
	struct scsi_lun_map *map;

	pthread_mutex_lock(&nx->map_lock);
	map = nx->map;
	if (map)
		scsi_lun_map_get(map);
	pthread_mutex_unlock(&nx->map_lock);
	return map;
}

void scsi_nexus_foreach(void (*fn)(struct scsi_nexus *nx, void *arg), void *arg)
{
	struct list_node *pos;

	pthread_mutex_lock(&nexus_list_lock);
	list_for_each(pos, &nexus_list)
	{
		fn(list_entry(pos, struct scsi_nexus, node), arg);
	}
	pthread_mutex_unlock(&nexus_list_lock);
}
