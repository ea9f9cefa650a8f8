// SPDX-License-Identifier: GPL-2.0
/*
 * nfd-site MODULE: backend kprobe's code analysis run on a kernel module
 * file (nf_tables.ko of any architecture nfdropcap analyses) instead of
 * the running kernel's text. Prints the site as --check would:
 *
 *   kprobe: nft_do_chain+0x190 (ands w1, w0, #0xff): verdict w0, rule x25, pkt x22
 *
 * or "kprobe: no (REASON)" and exits 1; for AArch64 code, then backend
 * dropsite's (its kprobes' sites, as --check's "drop sites" line says):
 *
 *   dropsite: rule and policy drops freed at nft_do_chain+0x34c, ...
 *
 * or "dropsite: no (REASON)" (exit 1). For the tests: the sites of
 * kernels this machine cannot run (arm64's), asserted from their packages.
 * A module's calls are unrelocated; the analyses do not read them (the
 * x86-64 one of dropsite does: it runs on the kernels of the matrix).
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/dropsite_site.h"
#include "backend/kprobe_site.h"

#define SYMBOL "nft_do_chain"

/* The bytes of SYMBOL in @e, malloc'd, and their count; NULL if none. */
static uint8_t *symbol_code(Elf *e, size_t *size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			Elf_Scn *text;
			Elf_Data *td;
			GElf_Sym sym;
			const char *name;
			uint8_t *code;

			if (!gelf_getsym(d, (int)i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name || strcmp(name, SYMBOL))
				continue;
			text = elf_getscn(e, sym.st_shndx);
			td = text ? elf_getdata(text, NULL) : NULL;
			if (!td || !td->d_buf ||
			    sym.st_value + sym.st_size > td->d_size)
				return NULL;
			code = malloc(sym.st_size);
			if (code) {
				memcpy(code, (uint8_t *)td->d_buf + sym.st_value,
				       sym.st_size);
				*size = sym.st_size;
			}
			return code;
		}
	}
	return NULL;
}

/* Backend dropsite's sites in AArch64 code: 0, or 1 if not found. */
static int dropsite(const uint8_t *code, size_t size)
{
	struct nfd_nft_sites ds;
	char why[256], text[320];

	if (nfd_nft_sites_find_arm64(code, size, 0, &ds, why, sizeof(why))) {
		printf("dropsite: no (%s)\n", why);
		return 1;
	}
	nfd_nft_sites_text(&ds, 0, NULL, true, text, sizeof(text));
	printf("dropsite: %s\n", text);
	return 0;
}

int main(int argc, char **argv)
{
	struct nfd_kprobe_site s;
	char why[256], text[192];
	enum nfd_isa isa;
	GElf_Ehdr eh;
	uint8_t *code;
	size_t size = 0;
	int fd, rc = 1;
	Elf *e;

	if (argc != 2) {
		fprintf(stderr, "usage: nfd-site MODULE.ko\n");
		return 2;
	}
	elf_version(EV_CURRENT);
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || !gelf_getehdr(e, &eh)) {
		fprintf(stderr, "nfd-site: %s: not an ELF file\n", argv[1]);
		return 2;
	}
	if (eh.e_machine == EM_AARCH64)
		isa = NFD_ISA_ARM64;
	else if (eh.e_machine == EM_X86_64)
		isa = NFD_ISA_X86_64;
	else {
		fprintf(stderr, "nfd-site: %s: machine %u is not analysed\n",
			argv[1], eh.e_machine);
		return 2;
	}
	code = symbol_code(e, &size);
	if (!code) {
		printf("kprobe: no (%s not in %s)\n", SYMBOL, argv[1]);
	} else if (nfd_kprobe_site_find(code, size, isa, &s, why,
					sizeof(why))) {
		printf("kprobe: no (%s)\n", why);
	} else {
		nfd_kprobe_site_text(&s, text, sizeof(text));
		printf("kprobe: %s\n", text);
		rc = isa == NFD_ISA_ARM64 ? dropsite(code, size) : 0;
	}
	free(code);
	elf_end(e);
	close(fd);
	return rc;
}
