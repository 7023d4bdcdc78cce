#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "backstore/backstore.h"
#include "config/config.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"

static char tmpdir[256];

/* The example from the design brief, with its file in a temporary dir. */
static const char example_fmt[] =
    "{\"storage_objects\": [\n"
    "   {\"name\": \"r0\", \"plugin\": \"ramdisk\", \"size\": 1073741824},\n"
    "   {\"name\": \"f0\", \"plugin\": \"fileio\", \"dev\": \"%s/f0.img\", \"size\": "
    "1073741824}],\n"
    " \"targets\": [{\"wwn\": \"iqn.2025-01.org.example:t1\", \"tpgs\": [{\"tag\": 1, "
    "\"enable\": true,\n"
    "   \"portals\": [{\"ip_address\": \"127.0.0.1\", \"port\": 3260}],\n"
    "   \"luns\": [{\"index\": 0, \"storage_object\": \"/backstores/ramdisk/r0\"},\n"
    "            {\"index\": 1, \"storage_object\": \"/backstores/fileio/f0\"}],\n"
    "   \"attributes\": {\"authentication\": 0, \"generate_node_acls\": 1},\n"
    "   \"node_acls\": []}]}]}\n";

static char *example(void)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf), example_fmt, tmpdir);
	return buf;
}

static char *file_path(const char *name)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name);
	return buf;
}

static int setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/luna-cfg-XXXXXX", base && *base ? base : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	unlink(file_path("f0.img"));
	unlink(file_path("f1.img"));
	unlink(file_path("g0.img"));
	rmdir(tmpdir);
	return 0;
}

static void test_example_loads(void **state)
{
	char err[512];
	struct luna_config *cfg = config_parse(example(), NULL, err, sizeof(err));
	const struct cfg_target *t;
	const struct cfg_tpg *tpg;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(3260)};
	struct scsi_lun_map *map;
	struct stat st;

	(void)state;
	if (cfg == NULL)
		fail_msg("%s", err);
	assert_int_equal(cfg->n_storage, 2);
	assert_non_null(cfg->storage[0].lu);
	assert_non_null(cfg->storage[1].lu);
	assert_int_equal(cfg->storage[1].lu->bs->size, 1ull << 30);
	assert_int_equal(stat(file_path("f0.img"), &st), 0);
	t = config_find_target(cfg, "iqn.2025-01.org.example:t1");
	assert_non_null(t);
	assert_null(config_find_target(cfg, "iqn.2025-01.org.example:t2"));
	tpg = &t->tpgs[0];
	assert_true(tpg->enable && tpg->generate_node_acls && !tpg->authentication);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	assert_ptr_equal(config_tpg_for_addr(t, (struct sockaddr *)&sin, sizeof(sin)), tpg);
	sin.sin_port = htons(3261);
	assert_null(config_tpg_for_addr(t, (struct sockaddr *)&sin, sizeof(sin)));
	assert_true(config_initiator_allowed(tpg, "iqn.1993-08.org.debian:01:abc"));
	map = config_lun_map(tpg, "iqn.1993-08.org.debian:01:abc");
	assert_int_equal(map->count, 2);
	assert_ptr_equal(scsi_lun_map_find(map, 0)->lu, cfg->storage[0].lu);
	assert_ptr_equal(scsi_lun_map_find(map, 1)->lu, cfg->storage[1].lu);
	assert_false(scsi_lun_map_find(map, 1)->write_protect);
	scsi_lun_map_put(map);
	config_put(cfg);
}

static void test_demo_loads(void **state)
{
	char err[512];
	struct luna_config *cfg = config_parse(config_demo_json(), NULL, err, sizeof(err));
	const struct cfg_target *t;
	struct scsi_lun_map *map;

	(void)state;
	if (cfg == NULL)
		fail_msg("%s", err);
	t = config_find_target(cfg, "iqn.2025-01.io.luna:demo");
	assert_non_null(t);
	assert_int_equal(t->tpgs[0].portals[0].port, 3260);
	assert_string_equal(t->tpgs[0].portals[0].ip, "127.0.0.1");
	assert_int_equal(cfg->storage[0].lu->bs->size, 1ull << 30);
	map = config_lun_map(&t->tpgs[0], "iqn.2025-01.org.example:any");
	assert_int_equal(map->count, 1);
	assert_int_equal(map->entries[0].lun, 0);
	assert_false(map->entries[0].write_protect);
	scsi_lun_map_put(map);
	config_put(cfg);
}

struct bad {
	const char *json, *expect;
};

#define SO_R0 "{\"name\":\"r0\",\"plugin\":\"ramdisk\",\"size\":1048576}"
#define T_OPEN "{\"targets\":[{\"wwn\":\"iqn.2025-01.org.example:t1\",\"tpgs\":["
#define WITH_R0(tpgs)                                                                              \
	"{\"storage_objects\":[" SO_R0 "],\"targets\":[{\"wwn\":"                                  \
	"\"iqn.2025-01.org.example:t1\",\"tpgs\":[" tpgs "]}]}"
#define TPG(x)                                                                                     \
	"{\"tag\":1,\"luns\":[{\"index\":0,\"storage_object\":\"/backstores/ramdisk/r0\"}]" x "}"

static const struct bad bad_configs[] = {
    {"{\"storage_objects\":[{\"plugin\":\"ramdisk\",\"size\":1048576}]}",
     "storage_objects[0].name: missing"},
    {"{\"storage_objects\":[" SO_R0 "," SO_R0 "]}",
     "storage_objects[1].name: duplicate storage object \"/backstores/ramdisk/r0\""},
    {"{\"storage_objects\":[{\"name\":\"a/b\",\"plugin\":\"ramdisk\",\"size\":4096}]}",
     "storage_objects[0].name: \"a/b\" is not a valid name"},
    {"{\"storage_objects\":[{\"name\":\"t\",\"plugin\":\"tape\",\"size\":4096}]}",
     "storage_objects[0].plugin: unknown plugin \"tape\""},
    {"{\"storage_objects\":[{\"name\":\"t\",\"plugin\":\"ramdisk\",\"size\":-5}]}",
     "storage_objects[0].size: must be a positive number of bytes"},
    {"{\"storage_objects\":[{\"name\":\"t\",\"plugin\":\"ramdisk\",\"size\":\"big\"}]}",
     "storage_objects[0].size: must be a positive number of bytes"},
    {"{\"storage_objects\":[{\"name\":\"t\",\"plugin\":\"ramdisk\",\"size\":0}]}",
     "storage_objects[0].size: must be a positive number of bytes"},
    {"{\"storage_objects\":[{\"name\":\"t\",\"plugin\":\"null\"}]}",
     "storage_objects[0].size: missing"},
    {"{\"storage_objects\":[{\"name\":\"t\",\"plugin\":\"fileio\",\"size\":4096}]}",
     "storage_objects[0].dev: missing"},
    {"{\"storage_objects\":[{\"name\":\"t\",\"plugin\":\"fileio\",\"dev\":\"rel.img\"}]}",
     "storage_objects[0].dev: must be an absolute path"},
    {"{\"storage_objects\":[{\"name\":\"t\",\"plugin\":\"ramdisk\",\"size\":4096,"
     "\"attributes\":{\"block_size\":1000}}]}",
     "storage_objects[0].attributes.block_size: must be 512 or 4096"},
    {"{\"storage_objects\":[{\"name\":\"t\",\"plugin\":\"ramdisk\",\"size\":4096,"
     "\"readonly\":\"yes\"}]}",
     "storage_objects[0].readonly: must be true or false"},
    {"{\"storage_objects\":{}}", "(top level).storage_objects: must be an array"},
    {"[]", "(top level): must be a JSON object"},
    {"{\"storage_objects\": [\n  {\"name\": \"r0\",, }]}", "JSON syntax error at line 2"},
    {"{\"targets\":[{\"wwn\":\"iqn.2025-01.Org.Example:t1\"}]}",
     "targets[0].wwn: \"iqn.2025-01.Org.Example:t1\" is not a valid iSCSI name: uppercase"},
    {"{\"targets\":[{\"wwn\":\"eui.1234\"}]}", "targets[0].wwn: \"eui.1234\" is not a valid"},
    {"{\"targets\":[{\"wwn\":\"naa.123\"}]}", "targets[0].wwn: \"naa.123\" is not a valid"},
    {"{\"targets\":[{\"wwn\":\"iqn.2025-01.org.example:t1\"},"
     "{\"wwn\":\"iqn.2025-01.org.example:t1\"}]}",
     "targets[1].wwn: duplicate target"},
    {"{\"targets\":[{\"wwn\":\"iqn.2025-01.org.example:t1\",\"fabric\":\"vhost\"}]}",
     "targets[0].fabric: \"vhost\" is not served"},
    {T_OPEN "{\"tag\":1},{\"tag\":1}]}]}", "targets[0].tpgs[1].tag: duplicate TPG tag 1"},
    {T_OPEN "{\"tag\":0}]}]}", "targets[0].tpgs[0].tag: must be a whole number from 1"},
    {T_OPEN "{}]}]}", "targets[0].tpgs[0].tag: missing"},
    {T_OPEN "{\"tag\":1,\"enable\":\"yes\"}]}]}",
     "targets[0].tpgs[0].enable: must be true or false"},
    {WITH_R0(TPG(",\"portals\":[{\"ip_address\":\"1.2.3.256\"}]")),
     "targets[0].tpgs[0].portals[0].ip_address: \"1.2.3.256\" is not an IPv4 or IPv6"},
    {WITH_R0(TPG(",\"portals\":[{\"ip_address\":\"0.0.0.0\",\"port\":70000}]")),
     "targets[0].tpgs[0].portals[0].port: must be a whole number from 1 to 65535"},
    {WITH_R0(TPG(",\"portals\":[{\"ip_address\":\"::\",\"port\":0}]")),
     "targets[0].tpgs[0].portals[0].port: must be a whole number from 1 to 65535"},
    {WITH_R0("{\"tag\":1,\"luns\":[{\"index\":0,\"storage_object\":"
	     "\"/backstores/ramdisk/r0\"},{\"index\":1,\"storage_object\":"
	     "\"/backstores/fileio/f9\"}]}"),
     "targets[0].tpgs[0].luns[1].storage_object: no storage object "
     "\"/backstores/fileio/f9\""},
    {WITH_R0("{\"tag\":1,\"luns\":[{\"index\":0,\"storage_object\":"
	     "\"/backstores/ramdisk/r0\"},{\"index\":0,\"storage_object\":"
	     "\"/backstores/ramdisk/r0\"}]}"),
     "targets[0].tpgs[0].luns[1].index: duplicate LUN 0"},
    {WITH_R0("{\"tag\":1,\"luns\":[{\"index\":\"0\",\"storage_object\":"
	     "\"/backstores/ramdisk/r0\"}]}"),
     "targets[0].tpgs[0].luns[0].index: must be a whole number"},
    {WITH_R0("{\"tag\":1,\"luns\":[{\"index\":16384,\"storage_object\":"
	     "\"/backstores/ramdisk/r0\"}]}"),
     "targets[0].tpgs[0].luns[0].index: must be a whole number from 0 to 16383"},
    {WITH_R0(TPG(",\"node_acls\":[{\"node_wwn\":\"iqn.2025-01.org.example:i1\","
		 "\"mapped_luns\":[{\"index\":0,\"tpg_lun\":5}]}]")),
     "targets[0].tpgs[0].node_acls[0].mapped_luns[0].tpg_lun: the TPG has no LUN 5"},
    {WITH_R0(TPG(",\"node_acls\":[{\"node_wwn\":\"initiator1\"}]")),
     "targets[0].tpgs[0].node_acls[0].node_wwn: \"initiator1\" is not a valid iSCSI name"},
    {WITH_R0(TPG(",\"node_acls\":[{\"node_wwn\":\"iqn.2025-01.org.example:i1\"},"
		 "{\"node_wwn\":\"iqn.2025-01.org.example:i1\"}]")),
     "targets[0].tpgs[0].node_acls[1].node_wwn: duplicate ACL"},
    {WITH_R0(TPG(",\"parameters\":{\"MaxRecvDataSegmentLength\":[1]}")),
     "targets[0].tpgs[0].parameters.MaxRecvDataSegmentLength: must be a string"},
    {"{\"fabric_modules\":[{\"name\":\"iscsi\",\"discovery_enable_auth\":\"x\"}]}",
     "fabric_modules[0].discovery_enable_auth: must be true or false"},
};

static void test_bad_configs(void **state)
{
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_configs) / sizeof(bad_configs[0]); i++) {
		struct luna_config *cfg = config_parse(bad_configs[i].json, NULL, err, sizeof(err));
		if (cfg != NULL)
			fail_msg("config %zu was accepted: %s", i, bad_configs[i].json);
		if (strstr(err, bad_configs[i].expect) == NULL)
			fail_msg("config %zu: message \"%s\" lacks \"%s\"", i, err,
				 bad_configs[i].expect);
	}
}

/* Validation errors come before any open: no file is created. */
static void test_refused_creates_nothing(void **state)
{
	char json[2048], err[512];

	(void)state;
	snprintf(json, sizeof(json),
		 "{\"storage_objects\":[{\"name\":\"f0\",\"plugin\":\"fileio\",\"dev\":"
		 "\"%s\",\"size\":1048576}],\"targets\":[{\"wwn\":\"bad\"}]}",
		 file_path("f0.img"));
	assert_null(config_parse(json, NULL, err, sizeof(err)));
	assert_int_equal(access(file_path("f0.img"), F_OK), -1);

	/* The second open fails: the first file, created by this attempt, goes. */
	snprintf(json, sizeof(json),
		 "{\"storage_objects\":[{\"name\":\"f0\",\"plugin\":\"fileio\",\"dev\":"
		 "\"%s\",\"size\":1048576},{\"name\":\"f1\",\"plugin\":\"fileio\",\"dev\":"
		 "\"%s/missing/f1.img\",\"size\":1048576}]}",
		 file_path("f0.img"), tmpdir);
	assert_null(config_parse(json, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "storage_objects[1]: fileio f1: cannot create"));
	assert_non_null(strstr(err, "does the directory exist?"));
	assert_int_equal(access(file_path("f0.img"), F_OK), -1);
}

static void test_lio_dialect_and_notes(void **state)
{
	static const char json[] =
	    "{\"fabric_modules\":[{\"name\":\"iscsi\",\"discovery_enable_auth\":true,"
	    "\"discovery_userid\":\"du\",\"discovery_password\":\"dp\"},{\"name\":\"loopback\"}],"
	    "\"storage_objects\":[{\"name\":\"r0\",\"plugin\":\"rd_mcp\",\"size\":1048576,"
	    "\"nullio\":false,\"wwn\":\"5b7c-serial\",\"attributes\":{\"block_size\":4096,"
	    "\"emulate_tpu\":1,\"emulate_3pc\":1}},{\"name\":\"n0\",\"plugin\":\"rd_mcp\","
	    "\"size\":1048576,\"nullio\":true}],"
	    "\"targets\":[{\"fabric\":\"iscsi\",\"wwn\":\"iqn.2025-01.org.example:t1\",\"tpgs\":[{"
	    "\"tag\":2,\"enable\":1,\"portals\":[{\"ip_address\":\"[::1]\",\"port\":3260,"
	    "\"iser\":false,\"offload\":false},{\"ip_address\":\"0.0.0.0\",\"port\":3261}],"
	    "\"luns\":[{\"index\":3,\"storage_object\":\"/backstores/rd_mcp/r0\",\"alias\":\"x\"},"
	    "{\"index\":1,\"storage_object\":\"/backstores/rd_mcp/n0\"}],"
	    "\"attributes\":{\"authentication\":1,\"generate_node_acls\":0,\"login_timeout\":15},"
	    "\"parameters\":{\"MaxRecvDataSegmentLength\":\"65536\",\"AuthMethod\":\"CHAP\"},"
	    "\"node_acls\":[{\"node_wwn\":\"iqn.2025-01.org.example:i1\",\"chap_userid\":\"u\","
	    "\"chap_password\":\"p\",\"attributes\":{\"dataout_timeout\":3},\"mapped_luns\":["
	    "{\"index\":7,\"tpg_lun\":3,\"write_protect\":true,\"alias\":\"m\"},"
	    "{\"index\":2,\"tpg_lun\":1,\"write_protect\":0}]}]}]}],\"version\":2}";
	char err[512];
	struct luna_config *cfg = config_parse(json, NULL, err, sizeof(err));
	const struct cfg_tpg *tpg;
	struct scsi_lun_map *map;
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(3260)};
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(3261)};
	bool saw_tpu = false, saw_version = false;

	(void)state;
	if (cfg == NULL)
		fail_msg("%s", err);
	assert_string_equal(cfg->storage[0].plugin, "ramdisk");
	assert_string_equal(cfg->storage[1].plugin, "null");
	assert_int_equal(cfg->storage[0].block_size, 4096);
	assert_int_equal(cfg->storage[0].lu->block_size, 4096);
	assert_string_equal(cfg->storage[0].lu->serial, "5b7c-serial");
	assert_true(cfg->discovery.enable_auth);
	assert_string_equal(cfg->discovery.chap.userid, "du");
	for (unsigned i = 0; i < cfg->n_notes; i++) {
		saw_tpu |= strstr(cfg->notes[i], "attributes.emulate_tpu") != NULL;
		saw_version |= strstr(cfg->notes[i], "(top level).version") != NULL;
	}
	assert_true(saw_tpu && saw_version);

	tpg = &cfg->targets[0].tpgs[0];
	assert_true(tpg->authentication);
	assert_string_equal(config_tpg_param(tpg, "MaxRecvDataSegmentLength"), "65536");
	assert_null(config_tpg_param(tpg, "FirstBurstLength"));
	assert_string_equal(tpg->portals[0].ip, "::1");
	inet_pton(AF_INET6, "::1", &s6.sin6_addr);
	assert_ptr_equal(config_tpg_for_addr(&cfg->targets[0], (struct sockaddr *)&s6, sizeof(s6)),
			 tpg);
	/* 0.0.0.0 matches any IPv4 address, also when it arrives IPv4-mapped */
	inet_pton(AF_INET, "192.0.2.7", &s4.sin_addr);
	assert_ptr_equal(config_tpg_for_addr(&cfg->targets[0], (struct sockaddr *)&s4, sizeof(s4)),
			 tpg);
	inet_pton(AF_INET6, "::ffff:192.0.2.7", &s6.sin6_addr);
	s6.sin6_port = htons(3261);
	assert_ptr_equal(config_tpg_for_addr(&cfg->targets[0], (struct sockaddr *)&s6, sizeof(s6)),
			 tpg);
	inet_pton(AF_INET6, "2001:db8::1", &s6.sin6_addr);
	assert_null(config_tpg_for_addr(&cfg->targets[0], (struct sockaddr *)&s6, sizeof(s6)));

	/* no demo mode: only the ACL's initiator, and only its mapped LUNs */
	assert_false(config_initiator_allowed(tpg, "iqn.2025-01.org.example:other"));
	assert_null(config_lun_map(tpg, "iqn.2025-01.org.example:other"));
	map = config_lun_map(tpg, "iqn.2025-01.org.example:i1");
	assert_int_equal(map->count, 2);
	assert_int_equal(map->entries[0].lun, 2); /* sorted */
	assert_ptr_equal(map->entries[0].lu, cfg->storage[1].lu);
	assert_false(map->entries[0].write_protect);
	assert_int_equal(map->entries[1].lun, 7);
	assert_ptr_equal(map->entries[1].lu, cfg->storage[0].lu);
	assert_true(map->entries[1].write_protect);
	assert_string_equal(config_find_acl(tpg, "iqn.2025-01.org.example:i1")->chap.password, "p");
	scsi_lun_map_put(map);
	config_put(cfg);
}

/* Everything parse() keeps, compared field by field (LU pointers aside). */
static void assert_same_config(const struct luna_config *a, const struct luna_config *b)
{
	assert_int_equal(a->n_storage, b->n_storage);
	for (unsigned i = 0; i < a->n_storage; i++) {
		const struct cfg_storage *x = &a->storage[i], *y = &b->storage[i];
		assert_string_equal(x->name, y->name);
		assert_string_equal(x->plugin, y->plugin);
		assert_true((!x->dev && !y->dev) || strcmp(x->dev, y->dev) == 0);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->block_size, y->block_size);
		assert_true(x->thin == y->thin && x->readonly == y->readonly &&
			    x->removable == y->removable && x->write_back == y->write_back &&
			    x->direct == y->direct);
		assert_string_equal(x->wwn, y->wwn);
	}
	assert_memory_equal(&a->discovery, &b->discovery, sizeof(a->discovery));
	assert_int_equal(a->n_targets, b->n_targets);
	for (unsigned t = 0; t < a->n_targets; t++) {
		assert_string_equal(a->targets[t].wwn, b->targets[t].wwn);
		assert_int_equal(a->targets[t].n_tpgs, b->targets[t].n_tpgs);
		for (unsigned g = 0; g < a->targets[t].n_tpgs; g++) {
			const struct cfg_tpg *x = &a->targets[t].tpgs[g],
					     *y = &b->targets[t].tpgs[g];
			assert_int_equal(x->tag, y->tag);
			assert_true(x->enable == y->enable &&
				    x->authentication == y->authentication &&
				    x->generate_node_acls == y->generate_node_acls &&
				    x->demo_mode_write_protect == y->demo_mode_write_protect);
			assert_memory_equal(&x->chap, &y->chap, sizeof(x->chap));
			assert_int_equal(x->n_portals, y->n_portals);
			for (unsigned i = 0; i < x->n_portals; i++) {
				assert_string_equal(x->portals[i].ip, y->portals[i].ip);
				assert_int_equal(x->portals[i].port, y->portals[i].port);
			}
			assert_int_equal(x->n_luns, y->n_luns);
			for (unsigned i = 0; i < x->n_luns; i++) {
				assert_int_equal(x->luns[i].index, y->luns[i].index);
				assert_int_equal(x->luns[i].so - a->storage,
						 y->luns[i].so - b->storage);
			}
			assert_int_equal(x->n_params, y->n_params);
			for (unsigned i = 0; i < x->n_params; i++)
				assert_string_equal(config_tpg_param(y, x->params[i].key),
						    x->params[i].value);
			assert_int_equal(x->n_acls, y->n_acls);
			for (unsigned i = 0; i < x->n_acls; i++) {
				assert_string_equal(x->acls[i].node_wwn, y->acls[i].node_wwn);
				assert_memory_equal(&x->acls[i].chap, &y->acls[i].chap,
						    sizeof(x->acls[i].chap));
				assert_int_equal(x->acls[i].n_mapped, y->acls[i].n_mapped);
				assert_memory_equal(x->acls[i].mapped, y->acls[i].mapped,
						    x->acls[i].n_mapped *
							sizeof(struct cfg_mapped_lun));
			}
		}
	}
}

static void test_round_trip(void **state)
{
	char json[4096], err[512];
	struct luna_config *a, *b;
	char *text;

	(void)state;
	snprintf(json, sizeof(json),
		 "{\"fabric_modules\":[{\"name\":\"iscsi\",\"discovery_enable_auth\":1,"
		 "\"discovery_userid\":\"du\",\"discovery_mutual_password\":\"mp\"}],"
		 "\"storage_objects\":[{\"name\":\"r0\",\"plugin\":\"ramdisk\",\"size\":1048576,"
		 "\"thin\":true,\"removable\":1},{\"name\":\"f0\",\"plugin\":\"fileio\",\"dev\":"
		 "\"%s\",\"size\":2097152,\"write_back\":false,\"wwn\":\"abc\",\"readonly\":false,"
		 "\"attributes\":{\"block_size\":4096}}],"
		 "\"targets\":[{\"wwn\":\"iqn.2025-01.org.example:t1\",\"tpgs\":[{\"tag\":1,"
		 "\"enable\":false,\"chap_userid\":\"tu\",\"portals\":[{\"ip_address\":\"::\"},"
		 "{\"ip_address\":\"10.0.0.1\",\"port\":3262}],\"luns\":[{\"index\":0,"
		 "\"storage_object\":\"/backstores/fileio/f0\"},{\"index\":5,\"storage_object\":"
		 "\"/backstores/ramdisk/r0\"}],\"attributes\":{\"authentication\":1,"
		 "\"demo_mode_write_protect\":1},\"parameters\":{\"HeaderDigest\":\"CRC32C\"},"
		 "\"node_acls\":[{\"node_wwn\":\"eui.02004567A425678D\",\"chap_mutual_userid\":"
		 "\"mu\",\"mapped_luns\":[{\"index\":1,\"tpg_lun\":5,\"write_protect\":true}]}]},"
		 "{\"tag\":2}]},{\"wwn\":\"naa.52004567BA64678D\"}]}",
		 file_path("f1.img"));
	a = config_parse(json, NULL, err, sizeof(err));
	if (a == NULL)
		fail_msg("%s", err);
	text = config_to_json(a);
	assert_non_null(text);
	b = config_parse(text, NULL, err, sizeof(err));
	if (b == NULL)
		fail_msg("%s\n%s", err, text);
	assert_same_config(a, b);
	assert_int_equal(b->n_notes, 0);
	free(text);
	config_put(a);
	config_put(b);
}

static const char reuse_fmt[] =
    "{\"storage_objects\":[{\"name\":\"r0\",\"plugin\":\"ramdisk\",\"size\":1048576},"
    "{\"name\":\"f0\",\"plugin\":\"fileio\",\"dev\":\"%s\",\"size\":%u}]}";

static struct luna_config *parse_reuse(const char *dev, unsigned size,
				       const struct luna_config *reuse)
{
	char json[1024], err[512];
	struct luna_config *cfg;

	snprintf(json, sizeof(json), reuse_fmt, dev, size);
	cfg = config_parse(json, reuse, err, sizeof(err));
	if (cfg == NULL)
		fail_msg("%s", err);
	return cfg;
}

static void test_reuse(void **state)
{
	char dev0[512], dev1[512];
	struct luna_config *a, *b, *c, *d;

	(void)state;
	snprintf(dev0, sizeof(dev0), "%s", file_path("f0.img"));
	snprintf(dev1, sizeof(dev1), "%s", file_path("g0.img"));
	a = parse_reuse(dev0, 1 << 20, NULL);
	b = parse_reuse(dev0, 1 << 20, a);
	assert_ptr_equal(a->storage[0].lu, b->storage[0].lu);
	assert_ptr_equal(a->storage[1].lu, b->storage[1].lu);
	assert_false(b->storage[1].grew);

	/* grown: same LU, bigger store, flagged for CAPACITY DATA HAS CHANGED */
	c = parse_reuse(dev0, 2 << 20, b);
	assert_ptr_equal(c->storage[1].lu, a->storage[1].lu);
	assert_true(c->storage[1].grew);
	assert_int_equal(c->storage[1].lu->bs->size, 2 << 20);

	/* a different file: a new LU */
	d = parse_reuse(dev1, 1 << 20, c);
	assert_ptr_equal(d->storage[0].lu, a->storage[0].lu);
	assert_ptr_not_equal(d->storage[1].lu, a->storage[1].lu);

	/* activation: the running config and its generation */
	config_activate(a);
	config_get(b);
	config_activate(b);
	{
		struct luna_config *cur = config_current();
		assert_ptr_equal(cur, b);
		assert_true(cur->generation > 0);
		config_put(cur);
	}
	config_put(b); /* ours; the running config holds its own */
	config_put(c);
	config_put(d);
	config_activate(parse_reuse(dev0, 2 << 20, NULL));
}

static struct luna_config *parse_ok(const char *json)
{
	char err[512];
	struct luna_config *cfg = config_parse(json, NULL, err, sizeof(err));

	if (cfg == NULL)
		fail_msg("%s", err);
	return cfg;
}

/* Activation pushes each live session the LUN map of the new config; a
 * session whose TPG went away sees no LUNs. */
static void test_activate_pushes_maps(void **state)
{
	static const char one[] = WITH_R0(TPG(",\"attributes\":{\"generate_node_acls\":1}"));
	static const char two[] =
	    "{\"storage_objects\":[" SO_R0 ",{\"name\":\"r1\",\"plugin\":\"ramdisk\","
	    "\"size\":1048576}],\"targets\":[{\"wwn\":\"iqn.2025-01.org.example:t1\","
	    "\"tpgs\":[{\"tag\":1,\"attributes\":{\"generate_node_acls\":1},\"luns\":["
	    "{\"index\":0,\"storage_object\":\"/backstores/ramdisk/r0\"},{\"index\":4,"
	    "\"storage_object\":\"/backstores/ramdisk/r1\"}]}]}]}";
	static const uint8_t isid[6] = {0x80, 0, 0, 0, 0, 1};
	const char *ini = "iqn.2025-01.org.example:i1";
	struct luna_config *a = parse_ok(one), *b;
	struct scsi_nexus *nx, *gone;

	(void)state;
	config_activate(a);
	nx = scsi_nexus_new(ini, isid, "iqn.2025-01.org.example:t1", 1,
			    config_lun_map(&a->targets[0].tpgs[0], ini));
	gone = scsi_nexus_new(ini, isid, "iqn.2025-01.org.example:t1", 9,
			      config_lun_map(&a->targets[0].tpgs[0], ini));
	assert_int_equal(nx->map->count, 1);

	b = parse_ok(two);
	config_activate(b);
	assert_int_equal(nx->map->count, 2);
	assert_ptr_equal(scsi_lun_map_find(nx->map, 4)->lu, b->storage[1].lu);
	assert_int_equal(gone->map->count, 0);
	scsi_nexus_free(nx);
	scsi_nexus_free(gone);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_example_loads, setup, teardown),
	    cmocka_unit_test(test_demo_loads),
	    cmocka_unit_test(test_bad_configs),
	    cmocka_unit_test_setup_teardown(test_refused_creates_nothing, setup, teardown),
	    cmocka_unit_test(test_lio_dialect_and_notes),
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reuse, setup, teardown),
	    cmocka_unit_test(test_activate_pushes_maps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
