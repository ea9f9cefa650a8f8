/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel symbol addresses, from /proc/kallsyms. Convention: 0 or -errno;
 * nothing is printed.
 */
#ifndef NFD_KALLSYMS_H
#define NFD_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * From nfd_kallsyms_hold() to the last nfd_kallsyms_release(), every
 * lookup below scans one copy of the file, read at the hold (a start-up's
 * many questions: the kernel formats the long file anew at each read).
 * Holds nest. 0 or -errno.
 */
int nfd_kallsyms_hold(void);
void nfd_kallsyms_release(void);
/* Modules may have been loaded since the hold (a canary's ruleset): the
 * next lookup reads the file again. */
void nfd_kallsyms_stale(void);

/*
 * The text range [@lo, @hi) of function @name: from its address to the
 * next higher symbol's. Returns 0, or -ENOENT when it is not listed or
 * addresses are hidden (kptr_restrict).
 */
int nfd_kallsyms_range(const char *name, uint64_t *lo, uint64_t *hi);

/*
 * The ranges of @n functions @names in one pass: [@lo[i], @hi[i]), both 0
 * for one not listed. 0 or -errno.
 */
int nfd_kallsyms_ranges(const char *const *names, size_t n, uint64_t *lo,
			uint64_t *hi);

/*
 * The address of symbol @name, of any kind (data needs
 * CONFIG_KALLSYMS_ALL); -ENOENT when not listed or hidden.
 */
int nfd_kallsyms_addr(const char *name, uint64_t *addr);

/*
 * Which of the @n functions @names the running kernel has (loaded modules
 * included), in one pass: @found[i] for @names[i]. 0 or -errno.
 */
int nfd_kallsyms_present(const char *const *names, size_t n, bool *found);

/*
 * The text symbol at or before @addr, as "name" or "name [module]", into
 * @buf; -ENOENT if none (addresses hidden: kptr_restrict).
 */
int nfd_kallsyms_name(uint64_t addr, char *buf, size_t len);

#endif /* NFD_KALLSYMS_H */
