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

int nfd_kallsyms_ranges(const char *const *names, size_t n, uint64_t *lo,
			uint64_t *hi)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	uint64_t addr;
	char line[512], *sym;
	size_t left = n;

	if (!f)
		return -errno;
	for (size_t i = 0; i < n; i++) {
		lo[i] = 0;
		hi[i] = UINT64_MAX;
	}
	/* the starts first; symbols are not sorted across modules */
	while (left && fgets(line, sizeof(line), f)) {
		if (parse_line(line, &addr, &sym))
			continue;
		for (size_t i = 0; i < n; i++)
			if (!lo[i] && !strcmp(sym, names[i])) {
				lo[i] = addr;
				left--;
			}
	}
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (parse_line(line, &addr, &sym))
			continue;
		for (size_t i = 0; i < n; i++)
			if (lo[i] && addr > lo[i] && addr < hi[i])
				hi[i] = addr;
	}
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (!lo[i] || hi[i] == UINT64_MAX)
			lo[i] = hi[i] = 0;
	return 0;
}

int nfd_kallsyms_range(const char *name, uint64_t *lo, uint64_t *hi)
{
	int err = nfd_kallsyms_ranges(&name, 1, lo, hi);

	return err ?: (*lo ? 0 : -ENOENT);
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
