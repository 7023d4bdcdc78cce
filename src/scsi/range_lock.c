/* LBA range locks of a logical unit (see range_lock.h). */
#include "scsi/range_lock.h"

#include "net/loop.h"

void range_lock_init(struct range_lock *rl)
{
	pthread_mutex_init(&rl->lock, NULL);
	list_init(&rl->held);
	list_init(&rl->waiting);
	for (int m = 0; m < RANGE_MODES; m++)
		rl->nmode[m] = 0;
}

void range_lock_fini(struct range_lock *rl)
{
	pthread_mutex_destroy(&rl->lock);
}

bool range_overlap(uint64_t a_lba, uint64_t a_count, uint64_t b_lba, uint64_t b_count)
{
	if (a_count == 0 || b_count == 0)
		return false;
	/* a starts before b ends and b starts before a ends, written as
	 * differences so that ranges reaching 2^64 cannot wrap. */
	if (a_lba <= b_lba)
		return b_lba - a_lba < a_count;
	return a_lba - b_lba < b_count;
}

/* Which modes may not overlap which. */
static const bool mode_clash[RANGE_MODES][RANGE_MODES] = {
    [RANGE_READ] = {[RANGE_EXCLUSIVE] = true},
    [RANGE_SHARED] = {[RANGE_STABLE] = true, [RANGE_EXCLUSIVE] = true},
    [RANGE_STABLE] = {[RANGE_SHARED] = true, [RANGE_EXCLUSIVE] = true},
    [RANGE_EXCLUSIVE] = {true, true, true, true},
};

static bool conflicts(const struct range_req *a, const struct range_req *b)
{
	if (!mode_clash[a->mode][b->mode])
		return false;
	return range_overlap(a->lba, a->count, b->lba, b->count);
}

/* Is any request of a mode that clashes with `mode` held or waiting? */
static bool clash_possible(const struct range_lock *rl, enum range_mode mode)
{
	for (int m = 0; m < RANGE_MODES; m++)
		if (mode_clash[mode][m] && rl->nmode[m])
			return true;
	return false;
}

/* Does req conflict with any entry of list, stopping at `stop`? */
static bool conflicts_in(const struct list_node *list, const struct range_req *req,
			 const struct list_node *stop)
{
	const struct list_node *pos;

	for (pos = list->next; pos != list && pos != stop; pos = pos->next)
		if (conflicts(list_entry(pos, struct range_req, node), req))
			return true;
	return false;
}

bool range_lock_acquire(struct range_lock *rl, struct range_req *req)
{
	bool granted;

	req->loop = loop_current();
	pthread_mutex_lock(&rl->lock);
	granted = !clash_possible(rl, req->mode) ||
		  (!conflicts_in(&rl->held, req, NULL) && !conflicts_in(&rl->waiting, req, NULL));
	rl->nmode[req->mode]++;
	list_add_tail(granted ? &rl->held : &rl->waiting, &req->node);
	pthread_mutex_unlock(&rl->lock);
	return granted;
}

static void resume(struct range_req *req)
{
	if (req->loop && req->loop != loop_current())
		loop_post(req->loop, req->resume, req->arg);
	else
		req->resume(req->arg);
}

void range_lock_release(struct range_lock *rl, struct range_req *req)
{
	struct list_node *pos, *tmp, granted;

	list_init(&granted);
	pthread_mutex_lock(&rl->lock);
	list_del(&req->node);
	rl->nmode[req->mode]--;
	/* A waiter goes when it conflicts neither with a holder nor with a
	 * waiter ahead of it. */
	list_for_each_safe(pos, tmp, &rl->waiting)
	{
		struct range_req *w = list_entry(pos, struct range_req, node);

		if (conflicts_in(&rl->held, w, NULL) || conflicts_in(&rl->waiting, w, pos))
			continue;
		list_del(pos);
		list_add_tail(&rl->held, pos);
		list_add_tail(&granted, &w->list_resume);
	}
	pthread_mutex_unlock(&rl->lock);
	list_for_each_safe(pos, tmp, &granted)
	{
		struct range_req *w = list_entry(pos, struct range_req, list_resume);

		list_del(pos);
		resume(w);
	}
}
