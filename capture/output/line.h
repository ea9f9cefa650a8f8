/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text line of a drop, as live text mode and -r print it:
 *   HH:MM:SS.uuuuuu IFACE In  SUMMARY [FIRST COMMENT LINE] (netns NAME)
 * Convention: text into the caller's buffer, always terminated; no errors.
 */
#ifndef NFD_LINE_H
#define NFD_LINE_H

#include <stddef.h>
#include <stdint.h>

enum nfd_line_dir {
	NFD_LINE_IN,
	NFD_LINE_OUT,
	NFD_LINE_UNKNOWN, /* -r: a file that does not say */
};

/*
 * The line (with its newline) into @buf: @ts_ns wall clock, in local time;
 * @iface ("" prints "?"); @summary nfd_dissect()'s; @comment's first line
 * in brackets (NULL: no brackets); " (netns @netns)" unless @netns is NULL.
 * Strings must come escaped. Returns its length.
 */
size_t nfd_line_format(char *buf, size_t len, uint64_t ts_ns,
		       const char *iface, enum nfd_line_dir dir,
		       const char *summary, const char *comment,
		       const char *netns);

#endif /* NFD_LINE_H */
