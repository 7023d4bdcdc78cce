#include "iscsi/session.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "config/config.h"
#include "iscsi/conn.h"
#include "iscsi/login.h"
#include "iscsi/task.h"
#include "net/loop.h"
#include "scsi/nexus.h"

/* Every session of every worker, for TSIH allocation and reinstatement. */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_node table = {&table, &table};
static unsigned table_count;
static uint16_t last_tsih;

static bool tsih_in_use(uint16_t tsih)
{
	struct list_node *pos;

	list_for_each(pos, &table)
	{
		if (list_entry(pos, struct iscsi_session, node)->tsih == tsih)
			return true;
	}
	return false;
}

/* Called with table_lock held. */
static uint16_t alloc_tsih_locked(void)
{
	for (unsigned tries = 0; tries < 65536; tries++) {
		uint16_t t = ++last_tsih;
		if (t != 0 && !tsih_in_use(t))
			return t;
	}
	return 0;
}

uint16_t iscsi_session_alloc_tsih(void)
{
	uint16_t t;

	pthread_mutex_lock(&table_lock);
	t = alloc_tsih_locked();
	pthread_mutex_unlock(&table_lock);
	return t;
}

unsigned iscsi_session_count(void)
{
	unsigned n;

	pthread_mutex_lock(&table_lock);
	n = table_count;
	pthread_mutex_unlock(&table_lock);
	return n;
}

struct reinstate {
	uint16_t tsih;
};

/* Runs on the old session's worker: close it if it is still there. */
static void close_reinstated(void *arg)
{
	struct reinstate *r = arg;
	struct iscsi_conn *victim = NULL;
	struct list_node *pos;

	pthread_mutex_lock(&table_lock);
	list_for_each(pos, &table)
	{
		struct iscsi_session *s = list_entry(pos, struct iscsi_session, node);
		if (s->tsih == r->tsih && s->loop == loop_current()) {
			victim = s->conn;
			break;
		}
	}
	pthread_mutex_unlock(&table_lock);
	if (victim)
		iscsi_conn_close(victim, "session reinstated by a new login with the same ISID");
	free(r);
}

/* Close any session of the same I_T nexus (RFC 7143 6.3.5). */
static void reinstate_locked(const struct iscsi_session *new_sess)
{
	struct list_node *pos;

	list_for_each(pos, &table)
	{
		struct iscsi_session *s = list_entry(pos, struct iscsi_session, node);
		struct reinstate *r;

		if (s == new_sess || s->closing || s->type != new_sess->type ||
		    memcmp(s->isid, new_sess->isid, 6) != 0 ||
		    strcmp(s->initiator_name, new_sess->initiator_name) != 0 ||
		    strcmp(s->target_name, new_sess->target_name) != 0)
			continue;
		s->closing = true;
		r = xmalloc(sizeof(*r));
		r->tsih = s->tsih;
		loop_post(s->loop, close_reinstated, r);
	}
}

struct iscsi_session *iscsi_session_new(struct iscsi_conn *conn, enum session_type type,
					 const char *initiator, const uint8_t isid[6],
					 const char *target, uint16_t tpgt, uint32_t cmdsn)
{
	struct iscsi_session *sess = xcalloc(1, sizeof(*sess));
	struct iscsi_login *login = conn->login;

	sess->type = type;
	strlcpy_luna(sess->initiator_name, initiator, sizeof(sess->initiator_name));
	strlcpy_luna(sess->target_name, target, sizeof(sess->target_name));
	memcpy(sess->isid, isid, 6);
	sess->tpgt = tpgt;
	sess->params = conn->params;
	sess->conn = conn;
	sess->loop = conn->loop;
	sess->exp_cmdsn = cmdsn;
	sess->max_cmdsn = cmdsn + SESSION_CMD_WINDOW - 1;
	list_init(&sess->queued);
	for (unsigned i = 0; i < SESSION_TASK_HASH; i++)
		list_init(&sess->tasks_by_itt[i]);
	sess->cfg = login->cfg;
	config_get(sess->cfg);
	sess->tpg = login->tpg;
	if (type == SESSION_NORMAL) {
		struct scsi_lun_map *map = config_lun_map(login->tpg, initiator);
		if (map == NULL) {
			config_put(sess->cfg);
			free(sess);
			return NULL;
		}
		sess->nexus = scsi_nexus_new(initiator, isid, target, tpgt, map);
		sess->nexus->transport_priv = sess;
	}
	pthread_mutex_lock(&table_lock);
	sess->tsih = alloc_tsih_locked();
	reinstate_locked(sess);
	list_add_tail(&table, &sess->node);
	table_count++;
	pthread_mutex_unlock(&table_lock);
	conn->session = sess;
	return sess;
}

void iscsi_session_free(struct iscsi_session *sess)
{
	pthread_mutex_lock(&table_lock);
	list_del(&sess->node);
	table_count--;
	pthread_mutex_unlock(&table_lock);
	while (!list_empty(&sess->queued)) {
		struct queued_pdu *q = list_first(&sess->queued, struct queued_pdu, node);
		list_del(&q->node);
		if (q->task)
			iscsi_task_discard(q->task);
		free(q->data);
		free(q);
	}
	if (sess->nexus)
		scsi_nexus_free(sess->nexus);
	if (sess->cfg)
		config_put(sess->cfg);
	free(sess);
}

bool iscsi_session_cmdsn_in_window(const struct iscsi_session *sess, uint32_t cmdsn)
{
	return sn_le(sess->exp_cmdsn, cmdsn) && sn_le(cmdsn, sess->max_cmdsn);
}

void iscsi_session_credit(struct iscsi_session *sess)
{
	sess->max_cmdsn++;
}
