// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: escaping hostile strings (capture/lib/escape.c): controls, C1
 * controls and invalid UTF-8 as \xNN, backslashes doubled, valid UTF-8 kept,
 * truncation between characters only.
 */
#include <string.h>

#include "check.h"
#include "lib/escape.h"

static bool esc_is(const char *in, size_t n, size_t size, const char *want)
{
	char out[256];

	nfd_escape(out, size, in, n);
	if (strcmp(out, want))
		fprintf(stderr, "escape: got '%s', want '%s'\n", out, want);
	return !strcmp(out, want);
}

#define ESC(in, want) CHECK(esc_is(in, sizeof(in) - 1, 256, want))

static void test_bytes(void)
{
	ESC("plain name-1.2_x", "plain name-1.2_x");
	ESC("", "");
	ESC("e\x1b]0;PWNED\x07h0", "e\\x1b]0;PWNED\\x07h0");
	ESC("a\nb\rc\td", "a\\x0ab\\x0dc\\x09d");
	ESC("\x7f", "\\x7f");
	ESC("back\\slash", "back\\\\slash");
	ESC("\\x41", "\\\\x41"); /* an escape-looking text stays text */
	/* valid UTF-8 stays: 2, 3 and 4 bytes */
	ESC("caf\xc3\xa9", "caf\xc3\xa9");
	ESC("\xe2\x82\xac", "\xe2\x82\xac");
	ESC("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
	ESC("\xc2\xa0", "\xc2\xa0"); /* U+00A0, just past C1 */
	/* C1 controls: U+0080, U+0085, U+009B (CSI), U+009F */
	ESC("\xc2\x80", "\\xc2\\x80");
	ESC("\xc2\x85", "\\xc2\\x85");
	ESC("\xc2\x9b[31m", "\\xc2\\x9b[31m");
	ESC("\xc2\x9f", "\\xc2\\x9f");
	/* invalid: stray bytes, cut sequences, overlong, surrogates, range */
	ESC("\xff\xfe", "\\xff\\xfe");
	ESC("\x80", "\\x80");
	ESC("\xe2\x82", "\\xe2\\x82");
	ESC("\xe2\x82x", "\\xe2\\x82x");
	ESC("\xc0\xaf", "\\xc0\\xaf");
	ESC("\xc1\x81", "\\xc1\\x81");
	ESC("\xe0\x80\xaf", "\\xe0\\x80\\xaf");
	ESC("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf");
	ESC("\xed\xa0\x80", "\\xed\\xa0\\x80");
	ESC("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	ESC("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
	ESC("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
}

static void test_bounds(void)
{
	/* stops at a NUL within n, and at n without one */
	CHECK(esc_is("ab\0cd", 5, 256, "ab"));
	CHECK(esc_is("abcdef", 3, 256, "abc"));
	/* truncation only between characters and whole escapes */
	CHECK(esc_is("abc\x1b", 4, 5, "abc"));
	CHECK(esc_is("abc\x1b", 4, 8, "abc\\x1b"));
	CHECK(esc_is("abc\x1b", 4, 7, "abc"));
	CHECK(esc_is("\xc3\xa9\xc3\xa9", 4, 4, "\xc3\xa9"));
	CHECK(esc_is("\xc3\xa9", 2, 2, ""));
	CHECK(esc_is("\\\\", 2, 4, "\\\\"));
	CHECK(esc_is("x", 1, 1, ""));
	/* the length returned is what was written */
	{
		char out[16];

		CHECK(nfd_escape(out, sizeof(out), "a\nb", 3) == 6);
		CHECK(nfd_escape_str(out, sizeof(out), "\\") == 2);
		CHECK(nfd_escape(out, 0, "abc", 3) == 0);
	}
}

/* Every byte value, alone and after a lead byte: never a raw control. */
static void test_all_bytes(void)
{
	char in[3] = { 0 }, out[64];
	bool ok = true;

	for (int a = 1; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			nfd_escape(out, sizeof(out), in, 2);
			for (char *p = out; *p; p++) {
				unsigned char c = (unsigned char)*p;

				if (c < 0x20 || c == 0x7f)
					ok = false;
			}
			if (strstr(out, "\xc2\x80") || strstr(out, "\xc2\x9b"))
				ok = false;
		}
	}
	CHECK(ok);
}

int main(void)
{
	test_bytes();
	test_bounds();
	test_all_bytes();
	return check_summary();
}
