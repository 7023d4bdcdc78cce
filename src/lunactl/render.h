/* Drawing the tree of an "ls" reply the way targetcli does:
 *
 *   o- / ............................................................ [...]
 *     o- backstores ................................................. [...]
 *     | o- fileio ............................... [Storage Objects: 1]
 *
 * Pure: writes to a FILE. */
#ifndef LUNA_LUNACTL_RENDER_H
#define LUNA_LUNACTL_RENDER_H

#include <jansson.h>
#include <stdio.h>

#define RENDER_WIDTH 80

void render_tree(FILE *out, json_t *node);

#endif
