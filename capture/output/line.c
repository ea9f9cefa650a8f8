// SPDX-License-Identifier: GPL-2.0
/* The text line of a drop, live and read back (-r). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "line.h"

size_t nfd_line_format(char *buf, size_t len, uint64_t ts_ns,
		       const char *iface, enum nfd_line_dir dir,
		       const char *summary, const char *comment,
		       const char *netns)
{
	static const char *const dirs[] = { "In ", "Out", "?  " };
	const char *eol = comment ? strchr(comment, '\n') : NULL;
	time_t sec = ts_ns / 1000000000ULL;
	char clock[32];
	struct tm tm;
	int n;

	localtime_r(&sec, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	n = snprintf(buf, len, "%s.%06llu %s %s %s", clock,
		     (unsigned long long)(ts_ns % 1000000000ULL) / 1000,
		     iface[0] ? iface : "?", dirs[dir], summary);
	if (comment && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, " [%.*s]",
			      eol ? (int)(eol - comment) : (int)strlen(comment),
			      comment);
	if (netns && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, " (netns %s)", netns);
	if (n >= 0 && (size_t)n + 1 < len) {
		buf[n++] = '\n';
		buf[n] = 0;
	} else if (len > 1) { /* cut between characters: still one line */
		n = len - 2;
		while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80)
			n--;
		buf[n++] = '\n';
		buf[n] = 0;
	}
	return n < 0 ? 0 : (size_t)n;
}
