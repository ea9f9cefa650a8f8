// SPDX-License-Identifier: GPL-2.0
/* Escaping hostile strings for every output (see escape.h). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "escape.h"

/*
 * Length of the valid UTF-8 sequence at @s (@left bytes available) that is
 * not a C1 control, or 0 if the first byte must be escaped.
 */
static size_t utf8_len(const uint8_t *s, size_t left)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f && s[0] != '\\';
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0; /* overlong, out of range, surrogate, C1 */
	return n;
}

static size_t escape(char *dst, size_t size, const char *src, size_t n,
		     bool keep_backslash);

size_t nfd_escape(char *dst, size_t size, const char *src, size_t n)
{
	return escape(dst, size, src, n, false);
}

size_t nfd_escape_again(char *dst, size_t size, const char *src)
{
	return escape(dst, size, src, SIZE_MAX, true);
}

static size_t escape(char *dst, size_t size, const char *src, size_t n,
		     bool keep_backslash)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *s = (const uint8_t *)src;
	size_t out = 0, i = 0;

	if (!size)
		return 0;
	n = strnlen(src, n);
	while (i < n) {
		size_t len = utf8_len(s + i, n - i);

		if (len) {
			if (out + len >= size)
				break;
			memcpy(dst + out, s + i, len);
			out += len;
			i += len;
		} else if (s[i] == '\\' && keep_backslash) {
			if (out + 1 >= size)
				break;
			dst[out++] = s[i++];
		} else if (s[i] == '\\') {
			if (out + 2 >= size)
				break;
			dst[out++] = '\\';
			dst[out++] = '\\';
			i++;
		} else {
			if (out + 4 >= size)
				break;
			dst[out++] = '\\';
			dst[out++] = 'x';
			dst[out++] = hex[s[i] >> 4];
			dst[out++] = hex[s[i] & 0xf];
			i++;
		}
	}
	dst[out] = 0;
	return out;
}

size_t nfd_escape_str(char *dst, size_t size, const char *src)
{
	return nfd_escape(dst, size, src, SIZE_MAX);
}
