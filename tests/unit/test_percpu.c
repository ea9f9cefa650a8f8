// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: nfd_percpu_offsets against this kernel's own BTF (its
 * per-CPU section is read, nothing changed). Where two of them lie is
 * checked in the kernel matrix's guests, against kallsyms and each CPU's
 * cpu_number (the closing note of the change that added it).
 */
#include <errno.h>

#include "check.h"
#include "lib/percpu.h"

static void test_found(void)
{
	static const char *const names[] = { "runqueues", "bpf_prog_active" };
	uint64_t off[2] = { ~0ULL, ~0ULL };

	if (!CHECK(nfd_percpu_offsets(names, 2, off) == 0))
		return;
	CHECK(off[0] != off[1]);
	/* a per-CPU area is a few hundred KiB at most */
	CHECK(off[0] < (1ULL << 24) && off[1] < (1ULL << 24));
}

static void test_missing(void)
{
	static const char *const names[] = { "runqueues",
					     "nfdropcap_no_such_var" };
	uint64_t off[2];

	CHECK(nfd_percpu_offsets(names, 2, off) == -ENOENT);
}

/* a function is not a per-CPU variable */
static void test_not_percpu(void)
{
	static const char *const names[] = { "nft_do_chain" };
	uint64_t off[1];

	CHECK(nfd_percpu_offsets(names, 1, off) == -ENOENT);
}

static void test_too_many(void)
{
	static const char *const names[9] = { "runqueues" };
	uint64_t off[9];

	CHECK(nfd_percpu_offsets(names, 9, off) == -EINVAL);
}

int main(void)
{
	test_found();
	test_missing();
	test_not_percpu();
	test_too_many();
	return check_summary();
}
