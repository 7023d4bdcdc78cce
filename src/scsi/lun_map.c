/* LUN maps: immutable sorted arrays of LUN -> LU, shared by reference. */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"

struct scsi_lun_map *scsi_lun_map_new(unsigned count)
{
	struct scsi_lun_map *map =
		xcalloc(1, sizeof(*map) + (size_t)count * sizeof(struct scsi_lun_entry));

	atomic_init(&map->refcnt, 1);
	map->count = count;
	return map;
}

void scsi_lun_map_set(struct scsi_lun_map *map, unsigned i, uint64_t lun, struct scsi_lu *lu,
		      bool write_protect)
{
	struct scsi_lun_entry *e = &map->entries[i];

	if (lu)
		scsi_lu_get(lu);
	if (e->lu)
		scsi_lu_put(e->lu);
	e->lun = lun;
	e->lu = lu;
	e->write_protect = write_protect;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct scsi_lun_entry *x = a, *y = b;

	return x->lun < y->lun ? -1 : x->lun > y->lun;
}

void scsi_lun_map_sort(struct scsi_lun_map *map)
{
	qsort(map->entries, map->count, sizeof(map->entries[0]), cmp_entry);
}

void scsi_lun_map_get(struct scsi_lun_map *map)
{
	atomic_fetch_add(&map->refcnt, 1);
}

void scsi_lun_map_put(struct scsi_lun_map *map)
{
	if (map == NULL || atomic_fetch_sub(&map->refcnt, 1) != 1)
		return;
	for (unsigned i = 0; i < map->count; i++)
		if (map->entries[i].lu)
			scsi_lu_put(map->entries[i].lu);
	free(map);
}

const struct scsi_lun_entry *scsi_lun_map_find(const struct scsi_lun_map *map, uint64_t lun)
{
	unsigned lo = 0, hi;

	if (map == NULL)
		return NULL;
	hi = map->count;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct scsi_lun_entry *e = &map->entries[mid];

		if (e->lun == lun)
			return e->lu ? e : NULL;
		if (e->lun < lun)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct scsi_lun_entry *scsi_lun_map_find_naa(const struct scsi_lun_map *map,
						   const uint8_t *naa, size_t len)
{
	for (unsigned i = 0; map && i < map->count; i++) {
		const struct scsi_lu *lu = map->entries[i].lu;

		if (lu && len == sizeof(lu->naa) && memcmp(lu->naa, naa, len) == 0)
			return &map->entries[i];
	}
	return NULL;
}
