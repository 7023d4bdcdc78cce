/* Logical units: creation, identity and lifetime. */
#include "scsi/lu.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "scsi/nexus.h"
#include "scsi/pr.h"
#include "scsi/sense.h"

/* The IEEE company identifier in Luna's NAA identifiers.  A CID (the
 * locally administered space) until the project registers an OUI; the
 * vendor specific part, derived from the serial, keeps them unique. */
#define LUNA_NAA_COMPANY_ID 0x0a4c55u

static atomic_uint_fast64_t next_lu_id = 1;

/* FNV-1a with a seed: identifiers must be stable across restarts, so they
 * come from the storage object's name, never from the clock. */
static uint64_t hash64(const char *s, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;

	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

static int parse_wwn(const char *wwn, uint8_t naa[16])
{
	size_t i;

	if (strncasecmp(wwn, "naa.", 4) == 0)
		wwn += 4;
	if (strlen(wwn) != 32 || wwn[0] != '6')
		return -1;
	for (i = 0; i < 16; i++) {
		unsigned v;

		if (!isxdigit((unsigned char)wwn[2 * i]) || !isxdigit((unsigned char)wwn[2 * i + 1]))
			return -1;
		if (sscanf(wwn + 2 * i, "%2x", &v) != 1)
			return -1;
		naa[i] = (uint8_t)v;
	}
	return 0;
}

/* NAA 6: 4 bits NAA, 24 bits company ID, 36 + 64 bits vendor specific. */
static void make_naa(uint8_t naa[16], const char *serial)
{
	uint64_t a = hash64(serial, 0), b = hash64(serial, 0x9e3779b97f4a7c15ull);

	naa[0] = (uint8_t)(0x60 | (LUNA_NAA_COMPANY_ID >> 20));
	naa[1] = (uint8_t)(LUNA_NAA_COMPANY_ID >> 12);
	naa[2] = (uint8_t)(LUNA_NAA_COMPANY_ID >> 4);
	naa[3] = (uint8_t)((LUNA_NAA_COMPANY_ID & 0xf) << 4 | ((a >> 32) & 0xf));
	for (int i = 0; i < 4; i++)
		naa[4 + i] = (uint8_t)(a >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		naa[8 + i] = (uint8_t)(b >> (56 - 8 * i));
}

/* INQUIRY strings are printable ASCII (SPC-4 4.4.1). */
static void copy_ascii(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; src && src[i] && i + 1 < cap; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '_';
	dst[i] = '\0';
}

static int lu_identity(struct scsi_lu *lu, const struct scsi_lu_params *p, char *err,
		       size_t errlen)
{
	copy_ascii(lu->vendor, sizeof(lu->vendor), p->vendor ? p->vendor : "LUNA");
	copy_ascii(lu->product, sizeof(lu->product), p->product ? p->product : lu->name);
	copy_ascii(lu->revision, sizeof(lu->revision), p->revision ? p->revision : "0001");
	if (p->serial && p->serial[0])
		copy_ascii(lu->serial, sizeof(lu->serial), p->serial);
	else
		snprintf(lu->serial, sizeof(lu->serial), "%016llx",
			 (unsigned long long)hash64(lu->name, 0x6c756e61));
	if (p->wwn && p->wwn[0]) {
		if (parse_wwn(p->wwn, lu->naa) < 0) {
			snprintf(err, errlen,
				 "storage object %s: wwn \"%s\" is not an NAA 6 identifier of 32 hex "
				 "digits starting with 6",
				 lu->name, p->wwn);
			return -1;
		}
	} else {
		make_naa(lu->naa, lu->serial);
	}
	return 0;
}

static void lu_mode_defaults(struct scsi_mode_params *m)
{
	memset(m, 0, sizeof(*m));
	/* Write cache on: initiators then send SYNCHRONIZE CACHE or FUA for
	 * what must be durable, which is what a write-back store needs. */
	m->wce = true;
	m->mrie = 0;
	m->dexcpt = true; /* no informational exceptions to report */
}

struct scsi_lu *scsi_lu_new(const struct scsi_lu_params *p, char *err, size_t errlen)
{
	struct scsi_lu *lu;

	if (p->type == NULL || p->bs == NULL || p->name == NULL) {
		snprintf(err, errlen, "logical unit: needs a name, a device type and a backstore");
		return NULL;
	}
	lu = xcalloc(1, sizeof(*lu));
	strlcpy_luna(lu->name, p->name, sizeof(lu->name));
	lu->type = p->type;
	lu->bs = p->bs;
	lu->block_size = p->bs->block_size ? p->bs->block_size : 512;
	atomic_init(&lu->nblocks, p->bs->size / lu->block_size);
	lu->thin = p->thin || p->bs->thin;
	lu->readonly = p->readonly || p->bs->readonly;
	lu->removable = p->removable;
	lu->lbpme = p->bs->can_discard;
	lu->sanitize_rate = p->sanitize_rate;
	if (p->physical_block_size > lu->block_size)
		lu->lbppb_exp = (uint8_t)__builtin_ctz(p->physical_block_size / lu->block_size);
	atomic_init(&lu->refcnt, 1);
	lu->id = atomic_fetch_add(&next_lu_id, 1);
	pthread_mutex_init(&lu->lock, NULL);
	list_init(&lu->tasks);
	lu_mode_defaults(&lu->mode);
	lu->started = true;
	lu->medium_present = true;
	if (lu_identity(lu, p, err, errlen) < 0)
		goto fail;
	/* Saved (APTPL) reservations come back with the LU. */
	scsi_resv_lu_init(lu);
	if (lu->type->init && lu->type->init(lu) < 0) {
		snprintf(err, errlen, "storage object %s: cannot set up device type %s", lu->name,
			 lu->type->name);
		goto fail;
	}
	backstore_get(lu->bs);
	return lu;
fail:
	scsi_resv_lu_fini(lu);
	pthread_mutex_destroy(&lu->lock);
	free(lu);
	return NULL;
}

void scsi_lu_get(struct scsi_lu *lu)
{
	atomic_fetch_add(&lu->refcnt, 1);
}

void scsi_lu_put(struct scsi_lu *lu)
{
	if (lu == NULL || atomic_fetch_sub(&lu->refcnt, 1) != 1)
		return;
	scsi_ua_purge_lu(lu);
	if (lu->type->fini)
		lu->type->fini(lu);
	backstore_put(lu->bs);
	scsi_resv_lu_fini(lu);
	pthread_mutex_destroy(&lu->lock);
	free(lu);
}

void scsi_lu_capacity_changed(struct scsi_lu *lu)
{
	uint64_t n = lu->bs->size / lu->block_size;

	if (atomic_exchange(&lu->nblocks, n) == n)
		return;
	log_info("logical unit %s: capacity now %llu blocks of %u bytes", lu->name,
		 (unsigned long long)n, lu->block_size);
	scsi_ua_add_all(lu, NULL, ASC_CAPACITY_CHANGED);
}
