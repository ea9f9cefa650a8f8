// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the command line. The input is split at NUL bytes into
 * arguments after "nfdropcap".
 */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#define ARGS_MAX 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[ARGS_MAX + 2];
	struct nfd_opts o;
	int argc = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	argv[argc++] = "nfdropcap";
	for (char *p = copy; p <= copy + size && argc <= ARGS_MAX;
	     p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	optind = 0; /* getopt starts afresh */
	nfd_opts_parse(&o, argc, argv);
	nfd_opts_free(&o);
	free(copy);
	return 0;
}
