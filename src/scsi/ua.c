/* Unit attentions: per I_T_L queues kept on the nexus.  They are added
 * from any thread (configuration changes, task management of other
 * sessions) and taken by the nexus's own commands. */
#include <stdlib.h>

#include "common/util.h"
#include "scsi/nexus.h"

void scsi_ua_add(struct scsi_nexus *nx, struct scsi_lu *lu, uint16_t asc_ascq)
{
	struct list_node *pos;
	struct scsi_ua *ua;

	pthread_mutex_lock(&nx->ua_lock);
	/* The same condition twice tells the initiator nothing new. */
	list_for_each(pos, &nx->ua_list)
	{
		ua = list_entry(pos, struct scsi_ua, node);
		if (ua->lu == lu && ua->asc_ascq == asc_ascq) {
			pthread_mutex_unlock(&nx->ua_lock);
			return;
		}
	}
	ua = xcalloc(1, sizeof(*ua));
	ua->lu = lu;
	ua->asc_ascq = asc_ascq;
	list_add_tail(&nx->ua_list, &ua->node);
	atomic_fetch_add(&nx->ua_count, 1);
	pthread_mutex_unlock(&nx->ua_lock);
}

struct ua_all_arg {
	struct scsi_lu *lu;
	struct scsi_nexus *except;
	uint16_t asc_ascq;
};

static void ua_add_if_seen(struct scsi_nexus *nx, void *arg)
{
	struct ua_all_arg *a = arg;

	if (nx != a->except && scsi_nexus_sees_lu(nx, a->lu))
		scsi_ua_add(nx, a->lu, a->asc_ascq);
}

void scsi_ua_add_all(struct scsi_lu *lu, struct scsi_nexus *except, uint16_t asc_ascq)
{
	struct ua_all_arg a = {lu, except, asc_ascq};

	scsi_nexus_foreach(ua_add_if_seen, &a);
}

bool scsi_ua_take(struct scsi_nexus *nx, struct scsi_lu *lu, uint16_t *asc_ascq)
{
	struct list_node *pos;
	bool found = false;

	/* Cheap check first: nearly every command finds no UA. */
	if (atomic_load(&nx->ua_count) == 0)
		return false;
	pthread_mutex_lock(&nx->ua_lock);
	list_for_each(pos, &nx->ua_list)
	{
		struct scsi_ua *ua = list_entry(pos, struct scsi_ua, node);

		if (ua->lu == lu) {
			*asc_ascq = ua->asc_ascq;
			list_del(&ua->node);
			atomic_fetch_sub(&nx->ua_count, 1);
			free(ua);
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&nx->ua_lock);
	return found;
}

bool scsi_ua_pending(struct scsi_nexus *nx, struct scsi_lu *lu)
{
	struct list_node *pos;
	bool found = false;

	if (atomic_load(&nx->ua_count) == 0)
		return false;
	pthread_mutex_lock(&nx->ua_lock);
	list_for_each(pos, &nx->ua_list)
	{
		if (list_entry(pos, struct scsi_ua, node)->lu == lu) {
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&nx->ua_lock);
	return found;
}

void scsi_ua_remove_lu(struct scsi_nexus *nx, const struct scsi_lu *lu)
{
	struct list_node *pos, *tmp;

	pthread_mutex_lock(&nx->ua_lock);
	list_for_each_safe(pos, tmp, &nx->ua_list)
	{
		struct scsi_ua *ua = list_entry(pos, struct scsi_ua, node);

		if (ua->lu == lu) {
			list_del(&ua->node);
			atomic_fetch_sub(&nx->ua_count, 1);
			free(ua);
		}
	}
	pthread_mutex_unlock(&nx->ua_lock);
}

static void purge_one(struct scsi_nexus *nx, void *arg)
{
	scsi_ua_remove_lu(nx, arg);
}

void scsi_ua_purge_lu(struct scsi_lu *lu)
{
	scsi_nexus_foreach(purge_one, lu);
}

void scsi_ua_clear_code(struct scsi_nexus *nx, uint16_t asc_ascq)
{
	struct list_node *pos, *tmp;

	pthread_mutex_lock(&nx->ua_lock);
	list_for_each_safe(pos, tmp, &nx->ua_list)
	{
		struct scsi_ua *ua = list_entry(pos, struct scsi_ua, node);

		if (ua->asc_ascq == asc_ascq) {
			list_del(&ua->node);
			atomic_fetch_sub(&nx->ua_count, 1);
			free(ua);
		}
	}
	pthread_mutex_unlock(&nx->ua_lock);
}
