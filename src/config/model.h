/* Private to src/config: helpers shared by its files. */
#ifndef LUNA_CONFIG_MODEL_H
#define LUNA_CONFIG_MODEL_H

#include "config/config.h"

/* Free a config whose last reference is gone (puts its LUs). */
void config_free(struct luna_config *cfg);

const struct cfg_tpg *config_find_tpg(const struct cfg_target *t, uint16_t tag);
const struct cfg_lun *config_find_tpg_lun(const struct cfg_tpg *tpg, uint32_t index);

/* Open every storage object (backstore + LU), reusing the LUs of `reuse`
 * where nothing changed.  On failure closes what it opened, removes files
 * it created, and returns -1 with a message. */
int config_open_storage(struct luna_config *cfg, const struct luna_config *reuse, char *err,
			size_t errlen);

/* "/backstores/<plugin>/<name>" */
void config_storage_path(const struct cfg_storage *so, char *buf, size_t len);

#endif
