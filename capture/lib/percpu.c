// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <bpf/btf.h>
#include "percpu.h"

#define PERCPU_SECTION ".data..percpu"
#define PERCPU_NAMES_MAX 8

/* How often each of @names is among @sec's variables (@seen); offsets. */
static void find_vars(const struct btf *btf, const struct btf_type *sec,
		      const char *const *names, size_t n, uint64_t *off,
		      unsigned int *seen)
{
	const struct btf_var_secinfo *v = btf_var_secinfos(sec);

	for (uint16_t i = 0; i < btf_vlen(sec); i++, v++) {
		const struct btf_type *var = btf__type_by_id(btf, v->type);
		const char *name =
			var ? btf__name_by_offset(btf, var->name_off) : NULL;

		for (size_t k = 0; name && k < n; k++) {
			if (!strcmp(name, names[k])) {
				off[k] = v->offset;
				seen[k]++;
			}
		}
	}
}

int nfd_percpu_offsets(const char *const *names, size_t n, uint64_t *off)
{
	unsigned int seen[PERCPU_NAMES_MAX] = { 0 };
	const struct btf_type *sec;
	struct btf *btf;
	int id, err = 0;

	if (n > PERCPU_NAMES_MAX)
		return -EINVAL;
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, PERCPU_SECTION, BTF_KIND_DATASEC);
	sec = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (sec)
		find_vars(btf, sec, names, n, off, seen);
	/* a name not there, or twice (two files' statics): not known */
	for (size_t k = 0; k < n; k++)
		if (seen[k] != 1)
			err = -ENOENT;
	btf__free(btf);
	return err;
}
