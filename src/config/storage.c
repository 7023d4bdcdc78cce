/* Storage objects of a validated config come to life here: a backstore and
 * an SBC logical unit each.  An object that did not change keeps the LU of
 * the running config (and with it its reservations, unit attentions and
 * the sessions using it); one that only grew keeps its LU and is resized.
 * If any open fails, everything opened so far is closed again and files
 * this attempt created are removed, so a refused config leaves no trace. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backstore/backstore.h"
#include "common/log.h"
#include "config/model.h"
#include "device/sbc.h"
#include "scsi/lu.h"

void config_storage_path(const struct cfg_storage *so, char *buf, size_t len)
{
	snprintf(buf, len, "/backstores/%s/%s", so->plugin, so->name);
}

static bool str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Same object, same backing, same flags; the size may only have grown (or
 * be "whatever the file holds" in both). */
static bool same_object(const struct cfg_storage *a, const struct cfg_storage *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->plugin, b->plugin) == 0 &&
	       str_eq(a->dev, b->dev) && a->thin == b->thin && a->readonly == b->readonly &&
	       a->removable == b->removable && a->write_back == b->write_back &&
	       a->direct == b->direct && a->block_size == b->block_size &&
	       a->physical_block_size == b->physical_block_size &&
	       strcmp(a->wwn, b->wwn) == 0 && a->lu != NULL;
}

static const struct cfg_storage *find_reusable(const struct luna_config *reuse,
					       const struct cfg_storage *so)
{
	for (unsigned i = 0; reuse && i < reuse->n_storage; i++) {
		const struct cfg_storage *o = &reuse->storage[i];
		if (same_object(o, so) && (so->size == 0 || so->size >= o->lu->bs->size))
			return o;
	}
	return NULL;
}

static int reuse_lu(struct cfg_storage *so, const struct cfg_storage *old, unsigned i, char *err,
		    size_t errlen)
{
	struct backstore *bs = old->lu->bs;
	char msg[512];

	if (so->size && so->size > bs->size) {
		if (backstore_resize(bs, so->size, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "storage_objects[%u].size: %s", i, msg);
			return -1;
		}
		so->grew = true;
	}
	scsi_lu_get(old->lu);
	so->lu = old->lu;
	so->reused = true;
	return 0;
}

static int open_new(struct cfg_storage *so, unsigned i, char *err, size_t errlen)
{
	struct bs_params bp = {.name = so->name,
			       .plugin = so->plugin,
			       .path = so->dev,
			       .size = so->size,
			       .block_size = so->block_size,
			       .thin = so->thin,
			       .readonly = so->readonly,
			       .write_back = so->write_back,
			       .direct = so->direct};
	struct scsi_lu_params lp = {.name = so->name,
				    .type = &sbc_disk_type,
				    .thin = so->thin,
				    .readonly = so->readonly,
				    .removable = so->removable,
				    .physical_block_size = so->physical_block_size,
				    .serial = so->wwn[0] ? so->wwn : NULL};
	char msg[512];
	struct backstore *bs = backstore_open(&bp, msg, sizeof(msg));

	if (bs == NULL) {
		snprintf(err, errlen, "storage_objects[%u]: %s", i, msg);
		return -1;
	}
	lp.bs = bs;
	so->lu = scsi_lu_new(&lp, msg, sizeof(msg));
	if (so->lu == NULL) {
		snprintf(err, errlen, "storage_objects[%u]: %s", i, msg);
		if (bs->created)
			unlink(bs->path);
	}
	backstore_put(bs); /* the LU holds its own reference */
	return so->lu ? 0 : -1;
}

static void close_opened(struct luna_config *cfg, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct cfg_storage *so = &cfg->storage[i];
		if (so->lu && !so->reused && so->lu->bs->created)
			unlink(so->lu->bs->path);
		scsi_lu_put(so->lu);
		so->lu = NULL;
	}
}

int config_open_storage(struct luna_config *cfg, const struct luna_config *reuse, char *err,
			size_t errlen)
{
	for (unsigned i = 0; i < cfg->n_storage; i++) {
		struct cfg_storage *so = &cfg->storage[i];
		const struct cfg_storage *old = find_reusable(reuse, so);
		int rc = old ? reuse_lu(so, old, i, err, errlen) : open_new(so, i, err, errlen);

		if (rc < 0) {
			close_opened(cfg, i);
			return -1;
		}
	}
	return 0;
}
