/* Small helpers shared by every layer. */
#ifndef LUNA_COMMON_UTIL_H
#define LUNA_COMMON_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))

/* malloc/calloc that abort on failure: used only for small control objects,
 * where running out of memory leaves nothing sensible to do. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

/* Copy at most dstsize-1 bytes and always terminate; returns strlen(src). */
size_t strlcpy_luna(char *dst, const char *src, size_t dstsize);

/* Monotonic clock in milliseconds and nanoseconds. */
uint64_t now_ms(void);
uint64_t now_ns(void);

/* Parse a size such as "1073741824", "512M", "1G", "4KiB".  Returns 0 on
 * success, -1 on a malformed or overflowing value. */
int parse_size(const char *s, uint64_t *out);

#endif
