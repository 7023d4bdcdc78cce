/* The configuration `lunad --demo` runs with: one thin 1 GiB RAM disk,
 * open to any initiator on the loopback address, no authentication. */
#include "config/config.h"

const char *config_demo_json(void)
{
	return "{\"storage_objects\": [{\"name\": \"demo\", \"plugin\": \"ramdisk\", "
	       "\"size\": 1073741824, \"thin\": true}],\n"
	       " \"targets\": [{\"wwn\": \"iqn.2025-01.io.luna:demo\", \"tpgs\": [{\"tag\": 1, "
	       "\"enable\": true,\n"
	       "   \"portals\": [{\"ip_address\": \"127.0.0.1\", \"port\": 3260}],\n"
	       "   \"luns\": [{\"index\": 0, \"storage_object\": \"/backstores/ramdisk/demo\"}],\n"
	       "   \"attributes\": {\"authentication\": 0, \"generate_node_acls\": 1, "
	       "\"demo_mode_write_protect\": 0},\n"
	       "   \"node_acls\": []}]}]}\n";
}
