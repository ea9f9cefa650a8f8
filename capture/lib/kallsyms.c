// SPDX-License-Identifier: GPL-2.0
/* Kernel symbol addresses, from /proc/kallsyms. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"

/* Parses "ADDR TYPE NAME [module]" into @addr and @sym. */
static int parse_line(char *line, uint64_t *addr, char **sym)
{
	char *end, *name;

	*addr = strtoull(line, &end, 16);
	if (end == line || end[0] != ' ' || !end[1] || end[2] != ' ')
		return -1;
	name = end + 3;
	name[strcspn(name, " \t\n")] = 0;
	*sym = name;
	return 0;
}

int nfd_kallsyms_range(const char *name, uint64_t *lo, uint64_t *hi)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	uint64_t start = 0, next = UINT64_MAX, addr;
	char line[512], *sym;

	if (!f)
		return -errno;
	/* the start first; symbols are not sorted across modules */
	while (fgets(line, sizeof(line), f))
		if (!parse_line(line, &addr, &sym) && !strcmp(sym, name)) {
			start = addr;
			break;
		}
	if (!start) {
		fclose(f);
		return -ENOENT;
	}
	rewind(f);
	while (fgets(line, sizeof(line), f))
		if (!parse_line(line, &addr, &sym) && addr > start &&
		    addr < next)
			next = addr;
	fclose(f);
	if (next == UINT64_MAX)
		return -ENOENT;
	*lo = start;
	*hi = next;
	return 0;
}

int nfd_kallsyms_present(const char *const *names, size_t n, bool *found)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], *sym;
	uint64_t addr;

	if (!f)
		return -errno;
	for (size_t i = 0; i < n; i++)
		found[i] = false;
	while (fgets(line, sizeof(line), f)) {
		if (parse_line(line, &addr, &sym))
			continue;
		for (size_t i = 0; i < n; i++)
			if (!found[i] && !strcmp(sym, names[i]))
				found[i] = true;
	}
	fclose(f);
	return 0;
}

int nfd_kallsyms_name(uint64_t addr, char *buf, size_t len)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	uint64_t best = 0, a;
	char line[512], *sym;

	if (!f)
		return -errno;
	buf[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		char *mod = strchr(line, '[');

		if (parse_line(line, &a, &sym) || a > addr || a <= best ||
		    (line[17] != 't' && line[17] != 'T'))
			continue;
		best = a;
		if (mod)
			mod[strcspn(mod, "]")] = 0;
		snprintf(buf, len, "%s%s%s%s", sym, mod ? " [" : "",
			 mod ? mod + 1 : "", mod ? "]" : "");
	}
	fclose(f);
	return best ? 0 : -ENOENT;
}
