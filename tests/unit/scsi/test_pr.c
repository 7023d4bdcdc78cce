/* Reservations: PERSISTENT RESERVE OUT parsing, the state machine, the
 * conflict matrix of every type, TransportIDs, APTPL text, and the
 * commands end to end through the core (PR IN/OUT, RESERVE/RELEASE). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bytes.h"
#include "fake_bs.h"
#include "scsi/pr.h"
#include "scsi/sense.h"
#include "scsi/tmf.h"

/* ---- helpers ---- */

static void mk_ident(struct pr_ident *id, const char *iname, const char *isid, int port)
{
	memset(id, 0, sizeof(*id));
	strcpy(id->iname, iname);
	strcpy(id->isid, isid);
	snprintf(id->tport, sizeof(id->tport), "iqn.t:x,t,0x%04x", port);
	id->rtpi = (uint16_t)port;
}

static void mk_cdb(uint8_t cdb[10], uint8_t sa, uint8_t type, uint32_t plen)
{
	memset(cdb, 0, 10);
	cdb[0] = 0x5f;
	cdb[1] = sa;
	cdb[2] = type;
	put_be32(cdb + 5, plen);
}

static void mk_param(uint8_t p[24], uint64_t key, uint64_t sa_key, uint8_t flags)
{
	memset(p, 0, 24);
	put_be64(p, key);
	put_be64(p + 8, sa_key);
	p[20] = flags;
}

/* Apply one service action to a state; returns the status. */
static uint8_t apply(struct scsi_pr *pr, const struct pr_ident *me, uint8_t sa, uint8_t type,
		     uint64_t key, uint64_t sa_key, struct pr_notices *ns)
{
	uint8_t cdb[10], p[24];
	struct prout_req req;
	struct pr_err err;
	struct pr_notices local = {0};
	uint8_t st;

	mk_cdb(cdb, sa, type, 24);
	mk_param(p, key, sa_key, 0);
	assert_int_equal(prout_parse(cdb, 10, p, 24, &req, &err), 0);
	st = pr_out_apply(pr, me, &req, ns ? ns : &local, &err);
	pr_notices_free(&local);
	return st;
}

/* ---- parsing ---- */

static void parse_errors(void **state)
{
	uint8_t cdb[10], p[64];
	struct prout_req req;
	struct pr_err err;

	(void)state;
	mk_param(p, 1, 2, 0);
	mk_cdb(cdb, 8, 0, 24); /* no such service action */
	assert_int_equal(prout_parse(cdb, 10, p, 24, &req, &err), -1);
	assert_int_equal(err.asc_ascq, ASC_INVALID_FIELD_IN_CDB);
	assert_int_equal(err.byte, 1);

	mk_cdb(cdb, PROUT_REGISTER, 0, 23); /* list too short */
	assert_int_equal(prout_parse(cdb, 10, p, 23, &req, &err), -1);
	assert_int_equal(err.asc_ascq, ASC_PARAM_LIST_LENGTH_ERROR);

	mk_cdb(cdb, PROUT_REGISTER, 0, 28); /* too long without SPEC_I_PT */
	assert_int_equal(prout_parse(cdb, 10, p, 28, &req, &err), -1);
	assert_int_equal(err.asc_ascq, ASC_PARAM_LIST_LENGTH_ERROR);

	mk_cdb(cdb, PROUT_REGISTER, 0, 24); /* the data did not all arrive */
	assert_int_equal(prout_parse(cdb, 10, p, 12, &req, &err), -1);
	assert_int_equal(err.asc_ascq, ASC_PARAM_LIST_LENGTH_ERROR);

	mk_cdb(cdb, PROUT_RESERVE, 1, 24); /* SPEC_I_PT only with REGISTER */
	p[20] = 0x08;
	assert_int_equal(prout_parse(cdb, 10, p, 24, &req, &err), -1);
	assert_int_equal(err.asc_ascq, ASC_INVALID_FIELD_IN_PARAM_LIST);
	assert_int_equal(err.byte, 20);

	mk_cdb(cdb, PROUT_REGISTER, 0, 28); /* SPEC_I_PT length past the list */
	put_be32(p + 24, 100);
	assert_int_equal(prout_parse(cdb, 10, p, 28, &req, &err), -1);
	assert_int_equal(err.asc_ascq, ASC_PARAM_LIST_LENGTH_ERROR);

	mk_cdb(cdb, PROUT_REGISTER, 0, 24); /* NACA */
	cdb[9] = 0x04;
	p[20] = 0;
	assert_int_equal(prout_parse(cdb, 10, p, 24, &req, &err), -1);
	assert_int_equal(err.byte, 9);

	mk_cdb(cdb, PROUT_REGISTER_AND_MOVE, 1, 24); /* MOVE without a TransportID */
	assert_int_equal(prout_parse(cdb, 10, p, 24, &req, &err), -1);
	assert_int_equal(err.asc_ascq, ASC_PARAM_LIST_LENGTH_ERROR);

	mk_cdb(cdb, PROUT_REGISTER, 0, 24);
	p[20] = 0x05;
	assert_int_equal(prout_parse(cdb, 10, p, 24, &req, &err), 0);
	assert_true(req.aptpl);
	assert_true(req.all_tg_pt);
	assert_int_equal(req.key, 1);
	assert_int_equal(req.sa_key, 2);
}

/* ---- TransportIDs ---- */

static void transport_ids(void **state)
{
	struct pr_ident a, b;
	uint8_t buf[300];
	size_t n;

	(void)state;
	mk_ident(&a, "iqn.2025-01.test:init", "400001370000", 1);
	n = pr_tid_build(&a, buf, sizeof(buf));
	assert_int_equal(n % 4, 0);
	assert_int_equal(buf[0], 0x45);
	memset(&b, 0, sizeof(b));
	assert_int_equal(pr_tid_parse(buf, n, &b), (int)n);
	assert_string_equal(b.iname, a.iname);
	assert_string_equal(b.isid, a.isid);

	a.isid[0] = '\0'; /* format 0: the name only */
	n = pr_tid_build(&a, buf, sizeof(buf));
	assert_int_equal(buf[0], 0x05);
	assert_true(n >= 24);
	assert_int_equal(pr_tid_parse(buf, n, &b), (int)n);
	assert_string_equal(b.isid, "");

	/* Malformed: wrong protocol, length past the buffer, no null, bad ISID. */
	buf[0] = 0x06;
	assert_int_equal(pr_tid_parse(buf, n, &b), -1);
	buf[0] = 0x05;
	assert_int_equal(pr_tid_parse(buf, 10, &b), -1);
	memset(buf + 4, 'a', n - 4);
	assert_int_equal(pr_tid_parse(buf, n, &b), -1);
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x45;
	put_be16(buf + 2, 28);
	strcpy((char *)buf + 4, "iqn.x,i,0x12zz");
	assert_int_equal(pr_tid_parse(buf, 32, &b), -1);
	assert_int_equal(pr_tid_parse(buf, 3, &b), -1);
}

/* ---- the state machine ---- */

struct prfix {
	struct scsi_pr pr;
	struct pr_ident a, b, c;
};

static int pr_setup(void **state)
{
	struct prfix *f = calloc(1, sizeof(*f));

	pr_init(&f->pr);
	mk_ident(&f->a, "iqn.a", "000000000001", 1);
	mk_ident(&f->b, "iqn.b", "000000000002", 1);
	mk_ident(&f->c, "iqn.c", "000000000003", 1);
	*state = f;
	return 0;
}

static int pr_teardown(void **state)
{
	struct prfix *f = *state;

	pr_fini(&f->pr);
	free(f);
	return 0;
}

static void register_rules(void **state)
{
	struct prfix *f = *state;

	/* Unregistered with a non-zero key: conflict. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_REGISTER, 0, 5, 10, NULL),
			 SAM_STAT_RESERVATION_CONFLICT);
	/* Unregistered, key 0, SA key 0: nothing happens. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_REGISTER, 0, 0, 0, NULL), SAM_STAT_GOOD);
	assert_int_equal(f->pr.nregs, 0);
	assert_int_equal(f->pr.generation, 0);
	assert_int_equal(apply(&f->pr, &f->a, PROUT_REGISTER, 0, 0, 10, NULL), SAM_STAT_GOOD);
	assert_int_equal(f->pr.nregs, 1);
	assert_int_equal(f->pr.generation, 1);
	/* Wrong key: conflict; right key: change. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_REGISTER, 0, 11, 12, NULL),
			 SAM_STAT_RESERVATION_CONFLICT);
	assert_int_equal(apply(&f->pr, &f->a, PROUT_REGISTER, 0, 10, 12, NULL), SAM_STAT_GOOD);
	assert_int_equal(pr_find(&f->pr, &f->a)->key, 12);
	/* REGISTER AND IGNORE EXISTING KEY ignores the key. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_REGISTER_AND_IGNORE, 0, 99, 13, NULL),
			 SAM_STAT_GOOD);
	assert_int_equal(pr_find(&f->pr, &f->a)->key, 13);
	/* Unregister. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_REGISTER, 0, 13, 0, NULL), SAM_STAT_GOOD);
	assert_int_equal(f->pr.nregs, 0);
	/* Other service actions need a registration. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_RESERVE, PR_TYPE_WE, 0, 0, NULL),
			 SAM_STAT_RESERVATION_CONFLICT);
}

static void reserve_release_rules(void **state)
{
	struct prfix *f = *state;
	struct pr_notices ns = {0};
	uint8_t cdb[10], p[24];
	struct prout_req req;
	struct pr_err err;

	assert_int_equal(apply(&f->pr, &f->a, PROUT_REGISTER, 0, 0, 1, NULL), SAM_STAT_GOOD);
	assert_int_equal(apply(&f->pr, &f->b, PROUT_REGISTER, 0, 0, 2, NULL), SAM_STAT_GOOD);
	/* Bad type, bad scope. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_RESERVE, 2, 1, 0, NULL),
			 SAM_STAT_CHECK_CONDITION);
	assert_int_equal(apply(&f->pr, &f->a, PROUT_RESERVE, 0x11, 1, 0, NULL),
			 SAM_STAT_CHECK_CONDITION);
	assert_int_equal(apply(&f->pr, &f->a, PROUT_RESERVE, PR_TYPE_WERO, 1, 0, NULL),
			 SAM_STAT_GOOD);
	/* Again by the holder: fine; another type or another nexus: conflict. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_RESERVE, PR_TYPE_WERO, 1, 0, NULL),
			 SAM_STAT_GOOD);
	assert_int_equal(apply(&f->pr, &f->a, PROUT_RESERVE, PR_TYPE_EA, 1, 0, NULL),
			 SAM_STAT_RESERVATION_CONFLICT);
	assert_int_equal(apply(&f->pr, &f->b, PROUT_RESERVE, PR_TYPE_WERO, 2, 0, NULL),
			 SAM_STAT_RESERVATION_CONFLICT);
	/* RELEASE by a non-holder: no-op; with the wrong type: INVALID RELEASE. */
	assert_int_equal(apply(&f->pr, &f->b, PROUT_RELEASE, PR_TYPE_WERO, 2, 0, NULL),
			 SAM_STAT_GOOD);
	assert_int_equal(f->pr.type, PR_TYPE_WERO);
	mk_cdb(cdb, PROUT_RELEASE, PR_TYPE_WE, 24);
	mk_param(p, 1, 0, 0);
	assert_int_equal(prout_parse(cdb, 10, p, 24, &req, &err), 0);
	assert_int_equal(pr_out_apply(&f->pr, &f->a, &req, &ns, &err), SAM_STAT_CHECK_CONDITION);
	assert_int_equal(err.asc_ascq, ASC_INVALID_RELEASE_OF_PR);
	/* A registrants-only release tells the other registrants. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_RELEASE, PR_TYPE_WERO, 1, 0, &ns),
			 SAM_STAT_GOOD);
	assert_int_equal(f->pr.type, PR_TYPE_NONE);
	assert_int_equal(ns.n, 1);
	assert_string_equal(ns.v[0].id.iname, "iqn.b");
	assert_int_equal(ns.v[0].asc_ascq, ASC_RESERVATIONS_RELEASED);
	pr_notices_free(&ns);
	/* A plain type's release tells no one. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_RESERVE, PR_TYPE_EA, 1, 0, NULL),
			 SAM_STAT_GOOD);
	assert_int_equal(apply(&f->pr, &f->a, PROUT_RELEASE, PR_TYPE_EA, 1, 0, &ns), SAM_STAT_GOOD);
	assert_int_equal(ns.n, 0);
	pr_notices_free(&ns);
}

static void all_registrants(void **state)
{
	struct prfix *f = *state;

	apply(&f->pr, &f->a, PROUT_REGISTER, 0, 0, 1, NULL);
	apply(&f->pr, &f->b, PROUT_REGISTER, 0, 0, 2, NULL);
	assert_int_equal(apply(&f->pr, &f->a, PROUT_RESERVE, PR_TYPE_EAAR, 1, 0, NULL),
			 SAM_STAT_GOOD);
	assert_true(pr_is_holder(&f->pr, pr_find(&f->pr, &f->b)));
	/* The reservation outlives the registrant that took it ... */
	apply(&f->pr, &f->a, PROUT_REGISTER, 0, 1, 0, NULL);
	assert_int_equal(f->pr.type, PR_TYPE_EAAR);
	/* ... and ends with the last one. */
	apply(&f->pr, &f->b, PROUT_REGISTER, 0, 2, 0, NULL);
	assert_int_equal(f->pr.type, PR_TYPE_NONE);
	assert_null(f->pr.holder);
}

static void preempt_rules(void **state)
{
	struct prfix *f = *state;
	struct pr_notices ns = {0};
	uint32_t gen;

	apply(&f->pr, &f->a, PROUT_REGISTER, 0, 0, 1, NULL);
	apply(&f->pr, &f->b, PROUT_REGISTER, 0, 0, 2, NULL);
	apply(&f->pr, &f->c, PROUT_REGISTER, 0, 0, 2, NULL);
	/* No reservation, SA key 0: INVALID FIELD IN PARAMETER LIST. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_PREEMPT, PR_TYPE_WE, 1, 0, NULL),
			 SAM_STAT_CHECK_CONDITION);
	/* A key nobody has: conflict. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_PREEMPT, PR_TYPE_WE, 1, 77, NULL),
			 SAM_STAT_RESERVATION_CONFLICT);
	apply(&f->pr, &f->b, PROUT_RESERVE, PR_TYPE_WE, 2, 0, NULL);
	gen = f->pr.generation;
	/* Preempting the holder's key removes both registrations with it. */
	assert_int_equal(apply(&f->pr, &f->a, PROUT_PREEMPT_AND_ABORT, PR_TYPE_EA, 1, 2, &ns),
			 SAM_STAT_GOOD);
	assert_int_equal(f->pr.nregs, 1);
	assert_int_equal(f->pr.type, PR_TYPE_EA);
	assert_ptr_equal(f->pr.holder, pr_find(&f->pr, &f->a));
	assert_int_equal(f->pr.generation, gen + 1);
	assert_int_equal(ns.n, 2);
	assert_int_equal(ns.v[0].asc_ascq, ASC_REGISTRATIONS_PREEMPTED);
	assert_true(ns.v[0].abort);
	pr_notices_free(&ns);
	/* CLEAR: everything goes; the others learn it. */
	apply(&f->pr, &f->b, PROUT_REGISTER, 0, 0, 2, NULL);
	assert_int_equal(apply(&f->pr, &f->a, PROUT_CLEAR, 0, 1, 0, &ns), SAM_STAT_GOOD);
	assert_int_equal(f->pr.nregs, 0);
	assert_int_equal(f->pr.type, PR_TYPE_NONE);
	assert_int_equal(ns.n, 1);
	assert_int_equal(ns.v[0].asc_ascq, ASC_RESERVATIONS_PREEMPTED);
	pr_notices_free(&ns);
}

static void register_and_move(void **state)
{
	struct prfix *f = *state;
	uint8_t cdb[10], p[64] = {0};
	struct pr_notices ns = {0};
	struct prout_req req;
	struct pr_err err;
	size_t n;

	apply(&f->pr, &f->a, PROUT_REGISTER, 0, 0, 1, NULL);
	apply(&f->pr, &f->a, PROUT_RESERVE, PR_TYPE_WE, 1, 0, NULL);
	put_be64(p, 1);
	put_be64(p + 8, 9);
	p[17] = 0x02; /* UNREG */
	put_be16(p + 18, 1);
	n = pr_tid_build(&f->b, p + 24, sizeof(p) - 24);
	put_be32(p + 20, (uint32_t)n);
	mk_cdb(cdb, PROUT_REGISTER_AND_MOVE, PR_TYPE_WE, (uint32_t)(24 + n));
	assert_int_equal(prout_parse(cdb, 10, p, 24 + n, &req, &err), 0);
	assert_int_equal(pr_out_apply(&f->pr, &f->a, &req, &ns, &err), SAM_STAT_GOOD);
	assert_null(pr_find(&f->pr, &f->a));
	assert_non_null(pr_find(&f->pr, &f->b));
	assert_int_equal(pr_find(&f->pr, &f->b)->key, 9);
	assert_true(pr_is_holder(&f->pr, pr_find(&f->pr, &f->b)));
	/* Moving to oneself is refused. */
	n = pr_tid_build(&f->b, p + 24, sizeof(p) - 24);
	put_be64(p, 9);
	assert_int_equal(prout_parse(cdb, 10, p, 24 + n, &req, &err), 0);
	assert_int_equal(pr_out_apply(&f->pr, &f->b, &req, &ns, &err), SAM_STAT_CHECK_CONDITION);
	pr_notices_free(&ns);
}

static void spec_i_pt(void **state)
{
	struct prfix *f = *state;
	uint8_t cdb[10], p[200] = {0};
	struct pr_notices ns = {0};
	struct prout_req req;
	struct pr_err err;
	size_t n1, n2;

	put_be64(p + 8, 5);
	p[20] = 0x08;
	n1 = pr_tid_build(&f->b, p + 28, 80);
	f->c.isid[0] = '\0'; /* every initiator port of iqn.c */
	n2 = pr_tid_build(&f->c, p + 28 + n1, 80);
	put_be32(p + 24, (uint32_t)(n1 + n2));
	mk_cdb(cdb, PROUT_REGISTER, 0, (uint32_t)(28 + n1 + n2));
	assert_int_equal(prout_parse(cdb, 10, p, 28 + n1 + n2, &req, &err), 0);
	assert_int_equal(pr_out_apply(&f->pr, &f->a, &req, &ns, &err), SAM_STAT_GOOD);
	assert_int_equal(f->pr.nregs, 3);
	mk_ident(&f->c, "iqn.c", "0000000000ff", 1);
	assert_non_null(pr_find(&f->pr, &f->c));
	/* Already registered ones in the list: refused, nothing added. */
	pr_fini(&f->pr);
	pr_init(&f->pr);
	apply(&f->pr, &f->b, PROUT_REGISTER, 0, 0, 1, NULL);
	assert_int_equal(pr_out_apply(&f->pr, &f->a, &req, &ns, &err), SAM_STAT_CHECK_CONDITION);
	assert_int_equal(f->pr.nregs, 1);
	pr_notices_free(&ns);
}

/* The conflict matrix: for each type, who may READ, WRITE, MODE SENSE. */
static void conflict_matrix(void **state)
{
	struct prfix *f = *state;
	static const uint8_t rd[10] = {0x28}, wr[10] = {0x2a}, tur[6] = {0}, ms[6] = {0x1a},
			     inq[6] = {0x12};
	static const struct {
		uint8_t type;
		bool reg_rd, reg_wr, unreg_rd, unreg_wr;
	} m[] = {
	    {PR_TYPE_WE, true, false, true, false},  {PR_TYPE_EA, false, false, false, false},
	    {PR_TYPE_WERO, true, true, true, false}, {PR_TYPE_EARO, true, true, false, false},
	    {PR_TYPE_WEAR, true, true, true, false}, {PR_TYPE_EAAR, true, true, false, false},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(m); i++) {
		struct pr_reg *ra, *rb;

		pr_fini(&f->pr);
		pr_init(&f->pr);
		apply(&f->pr, &f->a, PROUT_REGISTER, 0, 0, 1, NULL);
		apply(&f->pr, &f->b, PROUT_REGISTER, 0, 0, 2, NULL);
		assert_int_equal(apply(&f->pr, &f->a, PROUT_RESERVE, m[i].type, 1, 0, NULL),
				 SAM_STAT_GOOD);
		ra = pr_find(&f->pr, &f->a);
		rb = pr_find(&f->pr, &f->b);
		assert_false(pr_conflicts(&f->pr, ra, wr));
		assert_false(pr_conflicts(&f->pr, ra, rd));
		assert_int_equal(!pr_conflicts(&f->pr, rb, rd), m[i].reg_rd);
		assert_int_equal(!pr_conflicts(&f->pr, rb, wr), m[i].reg_wr);
		assert_int_equal(!pr_conflicts(&f->pr, NULL, rd), m[i].unreg_rd);
		assert_int_equal(!pr_conflicts(&f->pr, NULL, wr), m[i].unreg_wr);
		/* Always allowed: TEST UNIT READY, INQUIRY. MODE SENSE follows
		 * the write rule of a registered nexus. */
		assert_false(pr_conflicts(&f->pr, NULL, tur));
		assert_false(pr_conflicts(&f->pr, NULL, inq));
		assert_true(pr_conflicts(&f->pr, NULL, ms));
		assert_int_equal(!pr_conflicts(&f->pr, rb, ms), m[i].reg_wr);
	}
}

static void persist_text(void **state)
{
	struct prfix *f = *state;
	struct scsi_pr back;
	char *text;

	apply(&f->pr, &f->a, PROUT_REGISTER, 0, 0, 0x1122334455667788ull, NULL);
	apply(&f->pr, &f->b, PROUT_REGISTER, 0, 0, 2, NULL);
	apply(&f->pr, &f->b, PROUT_RESERVE, PR_TYPE_WERO, 2, 0, NULL);
	f->pr.generation = 42;
	text = pr_persist_format(&f->pr);
	pr_init(&back);
	assert_int_equal(pr_persist_parse(&back, text), 0);
	assert_int_equal(back.generation, 42);
	assert_int_equal(back.nregs, 2);
	assert_int_equal(back.type, PR_TYPE_WERO);
	assert_int_equal(pr_find(&back, &f->a)->key, 0x1122334455667788ull);
	assert_ptr_equal(back.holder, pr_find(&back, &f->b));
	assert_true(back.aptpl);
	pr_fini(&back);
	free(text);

	/* Malformed text is refused. */
	pr_init(&back);
	assert_int_equal(pr_persist_parse(&back, "not a state\n"), -1);
	pr_fini(&back);
	pr_init(&back);
	assert_int_equal(pr_persist_parse(&back, "luna-pr-state 1\ntype 1\n"), -1);
	pr_fini(&back);
	pr_init(&back);
	assert_int_equal(pr_persist_parse(&back, "luna-pr-state 1\nreg zz\n"), -1);
	pr_fini(&back);
}

static void persist_files(void **state)
{
	struct prfix *f = *state;
	char dir[] = "/tmp/luna-pr-test-XXXXXX";
	uint8_t naa[16] = {0x60, 1, 2, 3};
	struct scsi_pr back;

	assert_non_null(mkdtemp(dir));
	scsi_pr_set_state_dir(dir);
	apply(&f->pr, &f->a, PROUT_REGISTER, 0, 0, 7, NULL);
	f->pr.aptpl = true;
	assert_int_equal(pr_persist_save(&f->pr, naa), 0);
	pr_init(&back);
	assert_int_equal(pr_persist_load(&back, naa), 0);
	assert_int_equal(back.nregs, 1);
	pr_fini(&back);
	/* APTPL off: the file goes, and a load finds nothing. */
	f->pr.aptpl = false;
	assert_int_equal(pr_persist_save(&f->pr, naa), 0);
	pr_init(&back);
	assert_int_equal(pr_persist_load(&back, naa), 0);
	assert_int_equal(back.nregs, 0);
	pr_fini(&back);
	assert_int_equal(rmdir(dir), 0);
	scsi_pr_set_state_dir(NULL);
}

/* ---- through the core ---- */

struct corefix {
	struct scsi_lu *lu;
	struct scsi_nexus *nx1, *nx2;
	char dir[32];
};

static int core_setup(void **state)
{
	static const uint8_t isid2[6] = {0x80, 0, 0, 0, 0, 2};
	struct corefix *f = calloc(1, sizeof(*f));
	struct scsi_lun_map *map;

	strcpy(f->dir, "/tmp/luna-pr-core-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	scsi_pr_set_state_dir(f->dir);
	f->lu = fake_lu_new("prcore", 128, false, false);
	f->nx1 = fake_nexus_new(f->lu, 0, false);
	map = scsi_lun_map_new(1);
	scsi_lun_map_set(map, 0, 0, f->lu, false);
	f->nx2 = scsi_nexus_new("iqn.2025-01.test:other", isid2, "iqn.2025-01.test:target", 1, map);
	*state = f;
	return 0;
}

static int core_teardown(void **state)
{
	struct corefix *f = *state;
	char cmd[128];

	scsi_nexus_free(f->nx1);
	scsi_nexus_free(f->nx2);
	scsi_lu_put(f->lu);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	scsi_pr_set_state_dir(NULL);
	free(f);
	return 0;
}

static uint8_t run_status(struct scsi_nexus *nx, const uint8_t *cdb, unsigned len, const void *out,
			  uint32_t olen)
{
	struct test_cmd tc;
	uint8_t st;

	test_cmd_run(&tc, nx, 0, cdb, len, out, olen);
	assert_int_equal(tc.done_calls, 1);
	st = tc.cmd.status;
	scsi_cmd_release(&tc.cmd);
	return st;
}

static uint8_t prout(struct scsi_nexus *nx, uint8_t sa, uint8_t type, uint64_t key, uint64_t sa_key,
		     uint8_t flags)
{
	uint8_t cdb[10], p[24];

	mk_cdb(cdb, sa, type, 24);
	mk_param(p, key, sa_key, flags);
	return run_status(nx, cdb, 10, p, 24);
}

static void core_pr_in(void **state)
{
	struct corefix *f = *state;
	uint8_t cdb[10] = {0x5e, 0, 0, 0, 0, 0, 0, 0x40, 0, 0};
	struct test_cmd tc;

	test_cmd_run(&tc, f->nx1, 0, cdb, 10, NULL, 0);
	assert_int_equal(tc.cmd.status, SAM_STAT_GOOD);
	assert_int_equal(tc.cmd.in.len, 8);
	assert_int_equal(get_be32(tc.cmd.in.data + 4), 0);
	scsi_cmd_release(&tc.cmd);

	assert_int_equal(prout(f->nx1, PROUT_REGISTER, 0, 0, 0xabc, 0), SAM_STAT_GOOD);
	assert_int_equal(prout(f->nx2, PROUT_REGISTER, 0, 0, 0xdef, 0), SAM_STAT_GOOD);
	/* READ KEYS cut to 12 bytes keeps the full ADDITIONAL LENGTH. */
	cdb[8] = 12;
	cdb[7] = 0;
	test_cmd_run(&tc, f->nx1, 0, cdb, 10, NULL, 0);
	assert_int_equal(tc.cmd.in.len, 12);
	assert_int_equal(get_be32(tc.cmd.in.data), 2);
	assert_int_equal(get_be32(tc.cmd.in.data + 4), 16);
	scsi_cmd_release(&tc.cmd);

	/* READ FULL STATUS: two descriptors with iSCSI TransportIDs. */
	cdb[1] = 3;
	cdb[7] = 0x10;
	test_cmd_run(&tc, f->nx1, 0, cdb, 10, NULL, 0);
	assert_int_equal(tc.cmd.status, SAM_STAT_GOOD);
	assert_int_equal(get_be64(tc.cmd.in.data + 8), 0xabc);
	assert_int_equal(tc.cmd.in.data[8 + 24] & 0x0f, 5);
	scsi_cmd_release(&tc.cmd);

	/* REPORT CAPABILITIES, and no service action 4 or above. */
	cdb[1] = 2;
	test_cmd_run(&tc, f->nx1, 0, cdb, 10, NULL, 0);
	assert_int_equal(tc.cmd.in.len, 8);
	assert_int_equal(get_be16(tc.cmd.in.data), 8);
	scsi_cmd_release(&tc.cmd);
	cdb[1] = 4;
	test_cmd_run(&tc, f->nx1, 0, cdb, 10, NULL, 0);
	assert_int_equal(tc.cmd.status, SAM_STAT_CHECK_CONDITION);
	assert_int_equal(test_sense_asc(&tc.cmd), ASC_INVALID_FIELD_IN_CDB);
	scsi_cmd_release(&tc.cmd);
}

static void core_reservation_conflicts(void **state)
{
	struct corefix *f = *state;
	uint8_t rd[10] = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0}, wr[10] = {0x2a, 0, 0, 0, 0, 0, 0, 0, 1};
	uint8_t block[512] = {0}, rsv6[6] = {0x16}, rel6[6] = {0x17};
	uint8_t rr[10] = {0x5e, 1, 0, 0, 0, 0, 0, 0, 64, 0};
	struct test_cmd tc;
	uint16_t asc;

	assert_int_equal(prout(f->nx1, PROUT_REGISTER, 0, 0, 1, 0), SAM_STAT_GOOD);
	assert_int_equal(prout(f->nx1, PROUT_RESERVE, PR_TYPE_WE, 1, 0, 0), SAM_STAT_GOOD);
	assert_int_equal(run_status(f->nx2, rd, 10, NULL, 0), SAM_STAT_GOOD);
	assert_int_equal(run_status(f->nx2, wr, 10, block, 512), SAM_STAT_RESERVATION_CONFLICT);
	assert_int_equal(run_status(f->nx1, wr, 10, block, 512), SAM_STAT_GOOD);
	/* While anyone is registered, RESERVE(6) conflicts. */
	assert_int_equal(run_status(f->nx1, rsv6, 6, NULL, 0), SAM_STAT_RESERVATION_CONFLICT);

	test_cmd_run(&tc, f->nx2, 0, rr, 10, NULL, 0);
	assert_int_equal(tc.cmd.in.len, 24);
	assert_int_equal(get_be64(tc.cmd.in.data + 8), 1);
	assert_int_equal(tc.cmd.in.data[21], PR_TYPE_WE);
	scsi_cmd_release(&tc.cmd);

	/* nx2 registers and preempts: nx1 learns it through a UA. */
	assert_int_equal(prout(f->nx2, PROUT_REGISTER, 0, 0, 2, 0), SAM_STAT_GOOD);
	assert_int_equal(prout(f->nx2, PROUT_PREEMPT, PR_TYPE_EA, 2, 1, 0), SAM_STAT_GOOD);
	assert_true(scsi_ua_take(f->nx1, f->lu, &asc));
	assert_int_equal(asc, ASC_REGISTRATIONS_PREEMPTED);
	assert_int_equal(run_status(f->nx1, rd, 10, NULL, 0), SAM_STAT_RESERVATION_CONFLICT);
	assert_int_equal(prout(f->nx2, PROUT_CLEAR, 0, 2, 0, 0), SAM_STAT_GOOD);

	/* SPC-2 RESERVE(6) between two nexuses, and its end on nexus loss. */
	assert_int_equal(run_status(f->nx1, rsv6, 6, NULL, 0), SAM_STAT_GOOD);
	assert_int_equal(run_status(f->nx1, rsv6, 6, NULL, 0), SAM_STAT_GOOD);
	assert_int_equal(run_status(f->nx2, rsv6, 6, NULL, 0), SAM_STAT_RESERVATION_CONFLICT);
	assert_int_equal(run_status(f->nx2, rel6, 6, NULL, 0), SAM_STAT_GOOD);
	assert_int_equal(run_status(f->nx2, rd, 10, NULL, 0), SAM_STAT_RESERVATION_CONFLICT);
	assert_int_equal(run_status(f->nx1, rd, 10, NULL, 0), SAM_STAT_GOOD);
	scsi_resv_nexus_loss(f->lu, f->nx1);
	assert_int_equal(run_status(f->nx2, rsv6, 6, NULL, 0), SAM_STAT_GOOD);
	assert_int_equal(run_status(f->nx2, rel6, 6, NULL, 0), SAM_STAT_GOOD);
	assert_int_equal(run_status(f->nx1, rsv6, 6, NULL, 0), SAM_STAT_GOOD);
}

struct tmf_result {
	int calls;
	enum scsi_tmf_response rsp;
};

static void tmf_done(struct scsi_tmf *tmf, enum scsi_tmf_response rsp)
{
	struct tmf_result *r = tmf->transport_priv;

	r->calls++;
	r->rsp = rsp;
}

static void core_lu_reset_releases(void **state)
{
	struct corefix *f = *state;
	uint8_t rsv6[6] = {0x16}, tur[6] = {0};
	struct tmf_result res = {0};
	struct scsi_tmf tmf = {.nexus = f->nx1,
			       .func = TMF_LOGICAL_UNIT_RESET,
			       .lun = 0,
			       .done = tmf_done,
			       .transport_priv = &res};
	struct test_cmd tc;

	assert_int_equal(run_status(f->nx1, rsv6, 6, NULL, 0), SAM_STAT_GOOD);
	scsi_tmf_submit(&tmf);
	assert_int_equal(res.calls, 1);
	/* Each nexus gets the reset UA once, then the LU is free. */
	test_cmd_run(&tc, f->nx2, 0, tur, 6, NULL, 0);
	assert_int_equal(test_sense_asc(&tc.cmd), ASC_LUN_RESET);
	scsi_cmd_release(&tc.cmd);
	assert_int_equal(run_status(f->nx2, rsv6, 6, NULL, 0), SAM_STAT_GOOD);
	test_cmd_run(&tc, f->nx1, 0, tur, 6, NULL, 0);
	assert_int_equal(test_sense_asc(&tc.cmd), ASC_LUN_RESET);
	scsi_cmd_release(&tc.cmd);
	assert_int_equal(run_status(f->nx1, tur, 6, NULL, 0), SAM_STAT_RESERVATION_CONFLICT);
}

static void core_aptpl_restart(void **state)
{
	struct corefix *f = *state;
	struct scsi_lu *lu2;

	/* APTPL registration and reservation come back with a new LU of the
	 * same identity (a restart of lunad). */
	assert_int_equal(prout(f->nx1, PROUT_REGISTER, 0, 0, 0x55, 0x01), SAM_STAT_GOOD);
	assert_int_equal(prout(f->nx1, PROUT_RESERVE, PR_TYPE_EA, 0x55, 0, 0), SAM_STAT_GOOD);
	lu2 = fake_lu_new("prcore", 128, false, false);
	{
		struct scsi_pr *pr = lu2->reservations;

		assert_int_equal(pr->nregs, 1);
		assert_int_equal(pr->type, PR_TYPE_EA);
		assert_int_equal(pr->holder->key, 0x55);
	}
	scsi_lu_put(lu2);
	/* Registering again without APTPL forgets the saved state. */
	assert_int_equal(prout(f->nx1, PROUT_REGISTER, 0, 0x55, 0x56, 0), SAM_STAT_GOOD);
	lu2 = fake_lu_new("prcore", 128, false, false);
	assert_int_equal(((struct scsi_pr *)lu2->reservations)->nregs, 0);
	scsi_lu_put(lu2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_errors),
	    cmocka_unit_test(transport_ids),
	    cmocka_unit_test_setup_teardown(register_rules, pr_setup, pr_teardown),
	    cmocka_unit_test_setup_teardown(reserve_release_rules, pr_setup, pr_teardown),
	    cmocka_unit_test_setup_teardown(all_registrants, pr_setup, pr_teardown),
	    cmocka_unit_test_setup_teardown(preempt_rules, pr_setup, pr_teardown),
	    cmocka_unit_test_setup_teardown(register_and_move, pr_setup, pr_teardown),
	    cmocka_unit_test_setup_teardown(spec_i_pt, pr_setup, pr_teardown),
	    cmocka_unit_test_setup_teardown(conflict_matrix, pr_setup, pr_teardown),
	    cmocka_unit_test_setup_teardown(persist_text, pr_setup, pr_teardown),
	    cmocka_unit_test_setup_teardown(persist_files, pr_setup, pr_teardown),
	    cmocka_unit_test_setup_teardown(core_pr_in, core_setup, core_teardown),
	    cmocka_unit_test_setup_teardown(core_reservation_conflicts, core_setup, core_teardown),
	    cmocka_unit_test_setup_teardown(core_lu_reset_releases, core_setup, core_teardown),
	    cmocka_unit_test_setup_teardown(core_aptpl_restart, core_setup, core_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
