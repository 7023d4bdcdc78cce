#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum log_level cur_level = LOG_LVL_INFO;

void log_set_level(enum log_level lvl)
{
	cur_level = lvl;
}

enum log_level log_get_level(void)
{
	return cur_level;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = {"error", "warning", "info", "debug"};
	char line[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (lvl > cur_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %s: ", tm.tm_hour, tm.tm_min,
		     tm.tm_sec, ts.tv_nsec / 1000000, names[lvl]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write per line so that lines of different threads do not mix. */
	fprintf(stderr, "%s\n", line);
}
