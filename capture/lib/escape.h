/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way a string from a namespace or the kernel (table, chain and
 * set names, rule text, interface and namespace names) reaches any output:
 * escaped, so that it can neither move the terminal nor forge a line.
 *
 * Bytes 0x00-0x1f and 0x7f, C1 controls (U+0080-U+009F) and bytes that are
 * not valid UTF-8 become \xNN (two lowercase hex digits per byte); a
 * backslash becomes \\; valid UTF-8 otherwise stays as it is. Truncation
 * happens only between characters (never inside a sequence or an escape).
 *
 * Convention: text into the caller's buffer, always terminated; no errors.
 */
#ifndef NFD_ESCAPE_H
#define NFD_ESCAPE_H

#include <stddef.h>

/*
 * Escapes the first @n bytes of @src (stopping early at a NUL) into @dst
 * of @size bytes. Returns the length written (without the NUL).
 */
size_t nfd_escape(char *dst, size_t size, const char *src, size_t n);

/* The same for a NUL-terminated @src. */
size_t nfd_escape_str(char *dst, size_t size, const char *src);

/*
 * Text read back from a capture file (-r), NUL-terminated: escaped as
 * above except that a backslash stays as it is. What nfdropcap wrote is
 * escaped already and reads back unchanged; a file from elsewhere still
 * cannot move the terminal or forge a line.
 */
size_t nfd_escape_again(char *dst, size_t size, const char *src);

#endif /* NFD_ESCAPE_H */
