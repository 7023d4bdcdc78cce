#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "initiator/initiator.h"
#include "iscsi/chap.h"

void ini_config_defaults(struct ini_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strlcpy_luna(cfg->initiator_name, "iqn.2025-01.io.luna:initiator",
		     sizeof(cfg->initiator_name));
	cfg->port = INI_DEFAULT_PORT;
	cfg->chap_algs[0] = CHAP_ALG_SHA3_256;
	cfg->chap_algs[1] = CHAP_ALG_SHA256;
	cfg->chap_algs[2] = CHAP_ALG_SHA1;
	cfg->chap_algs[3] = CHAP_ALG_MD5;
	cfg->n_chap_algs = 4;
	strlcpy_luna(cfg->header_digest, "None", sizeof(cfg->header_digest));
	strlcpy_luna(cfg->data_digest, "None", sizeof(cfg->data_digest));
	cfg->max_recv_dsl = 262144;
	cfg->max_burst = 16776192;
	cfg->first_burst = 262144;
	cfg->immediate_data = true;
	cfg->initial_r2t = false;
	cfg->max_outstanding_r2t = 1;
	cfg->login_timeout_ms = 30000;
	cfg->nop_interval_ms = 5000;
	cfg->nop_timeout_ms = 15000;
	cfg->recovery_timeout_ms = 120000;
}

static int alg_by_name(const char *s, size_t n)
{
	static const struct {
		const char *name;
		int alg;
	} names[] = {{"MD5", CHAP_ALG_MD5},
		     {"5", CHAP_ALG_MD5},
		     {"SHA-1", CHAP_ALG_SHA1},
		     {"SHA1", CHAP_ALG_SHA1},
		     {"6", CHAP_ALG_SHA1},
		     {"SHA-256", CHAP_ALG_SHA256},
		     {"SHA256", CHAP_ALG_SHA256},
		     {"7", CHAP_ALG_SHA256},
		     {"SHA3-256", CHAP_ALG_SHA3_256},
		     {"SHA3_256", CHAP_ALG_SHA3_256},
		     {"8", CHAP_ALG_SHA3_256}};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i].name) == n && strncasecmp(names[i].name, s, n) == 0)
			return names[i].alg;
	return -1;
}

int ini_chap_parse_algs(const char *list, int *algs, unsigned *n)
{
	const char *p = list;

	*n = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		int alg = alg_by_name(p, len);

		if (alg < 0 || *n >= 4)
			return -1;
		for (unsigned i = 0; i < *n; i++)
			if (algs[i] == alg)
				return -1;
		algs[(*n)++] = alg;
		p += len;
		if (*p == ',')
			p++;
	}
	return *n ? 0 : -1;
}
