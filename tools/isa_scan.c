/*
 * isa_scan.c - which instructions of a program the guest CPU model cannot run.
 *
 *   isa-scan [--cpu=x86-64-v1|x86-64-v2] BINARY...
 *
 * Walks every executable section of each ELF file (or, when it has no
 * section headers, every executable PT_LOAD segment) and decodes it
 * linearly with rewind's own decoder (engine/decode.c) and dispatch table
 * for the chosen CPU model, alongside capstone.  Data can live in .text
 * (jump tables, padding, literal pools), so capstone drives the walk: where
 * capstone decodes an instruction its length is used to step on.  Where
 * capstone (4.x) rejects bytes that rewind's decoder takes for a VEX/EVEX
 * form or for a form the model runs (hint NOPs such as rdsspq), rewind's
 * length is used; other bytes capstone rejects are skipped one at a time
 * and counted.
 *
 * It lists every distinct instruction form (capstone's mnemonic plus the
 * map, opcode and mandatory-prefix class, or the VEX/EVEX/XOP fields) that
 * the model would not execute, with a count and the first address:
 *
 *   missing   the model has no handler for the form (its slot is op_ud)
 *             although it belongs to the chosen CPU level: a gap to fill;
 *   outside   the form is outside the chosen model (AVX, AVX-512, BMI,
 *             RDRAND, XSAVE, privileged, or SSE3+ under x86-64-v1, ...):
 *             the guest gets SIGILL, as on a CPU without the extension.
 *             When the slot holds a handler shared with in-model forms
 *             (0F C7 holds cmpxchg8b and rdrand), the line says so: that
 *             handler raises #UD at run time, or runs the form as an older
 *             CPU would (lzcnt as bsr).
 *
 * and, as warnings that do not change the exit status, the forms whose
 * length rewind's decoder disagrees with capstone on ("length").
 *
 * Exit status: 0 when nothing is listed, 1 when some form is listed (in or
 * outside the model), 125 on bad input (unreadable file, not an x86-64
 * ELF, bad option).
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/cpu.h"
#include "engine/decode.h"
#include "engine/insn.h"

#define EXIT_BAD 125

/* ------------------------------------------------------------ forms */

enum { K_MISSING, K_OUTSIDE, K_LENGTH };
static const char *const kind_tag[] = { "missing", "outside", "length" };

struct form {
	char key[96];		/* mnemonic + "  " + encoding */
	char why[160];		/* for K_OUTSIDE / K_LENGTH */
	uint64_t hash;
	uint64_t count;
	uint64_t first;
	int kind;
};

static struct form *forms;
static size_t nforms, capforms;

static uint64_t fnv(const char *s, int kind)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)kind;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

static void form_add(int kind, const char *key, const char *why, uint64_t addr)
{
	uint64_t h = fnv(key, kind);
	for (size_t k = 0; k < nforms; k++) {
		struct form *f = &forms[k];
		if (f->hash == h && f->kind == kind && !strcmp(f->key, key)) {
			f->count++;
			return;
		}
	}
	if (nforms == capforms) {
		capforms = capforms ? 2 * capforms : 256;
		forms = realloc(forms, capforms * sizeof(*forms));
		if (!forms) {
			perror("isa-scan");
			exit(EXIT_BAD);
		}
	}
	struct form *f = &forms[nforms++];
	snprintf(f->key, sizeof(f->key), "%s", key);
	snprintf(f->why, sizeof(f->why), "%s", why ? why : "");
	f->hash = h;
	f->count = 1;
	f->first = addr;
	f->kind = kind;
}

static int form_cmp(const void *a, const void *b)
{
	const struct form *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* ------------------------------------------------------------ encoding */

static const char *pfx_name(int pfx)
{
	static const char *const n[] = { "", "66 ", "F3 ", "F2 " };
	return n[pfx & 3];
}

/* Opcodes whose modrm.reg field selects the instruction. */
static bool is_group(int map, int op)
{
	if (map == MAP_1B)
		return (op >= 0x80 && op <= 0x83) || op == 0x8f || op == 0xc0 ||
		       op == 0xc1 || op == 0xc6 || op == 0xc7 ||
		       (op >= 0xd0 && op <= 0xd3) || op == 0xf6 ||
		       op == 0xf7 || op == 0xfe || op == 0xff;
	if (map == MAP_0F)
		return op == 0x00 || op == 0x01 || op == 0x0d || op == 0x18 ||
		       (op >= 0x71 && op <= 0x73) || op == 0xae ||
		       op == 0xba || op == 0xc7;
	return false;
}

static bool is_legacy_prefix(uint8_t b)
{
	return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e ||
	       b == 0x64 || b == 0x65 || b == 0x66 || b == 0x67 ||
	       b == 0xf0 || b == 0xf2 || b == 0xf3;
}

/* VEX / EVEX / XOP fields, e.g. "VEX.256.66.0F38.W0 18". */
static void vex_encoding(const uint8_t *b, size_t len, char *out, size_t n)
{
	size_t k = 0;
	while (k < len && (is_legacy_prefix(b[k]) || (b[k] & 0xf0) == 0x40))
		k++;
	static const char *const pp[] = { "", "66.", "F3.", "F2." };
	if (k + 2 < len && b[k] == 0xc5) {
		snprintf(out, n, "VEX.%d.%s0F %02X", (b[k + 1] & 4) ? 256 : 128,
			 pp[b[k + 1] & 3], b[k + 2]);
	} else if (k + 3 < len && b[k] == 0xc4) {
		int m = b[k + 1] & 0x1f;
		const char *map = m == 1 ? "0F" : m == 2 ? "0F38" : m == 3 ? "0F3A" : "map?";
		snprintf(out, n, "VEX.%d.%s%s.W%d %02X", (b[k + 2] & 4) ? 256 : 128,
			 pp[b[k + 2] & 3], map, b[k + 2] >> 7, b[k + 3]);
	} else if (k + 4 < len && b[k] == 0x62) {
		int m = b[k + 1] & 7;
		static const char *const maps[] = { "map0", "0F", "0F38", "0F3A",
						    "map4", "MAP5", "MAP6", "map7" };
		static const int ll[] = { 128, 256, 512, 1024 };
		snprintf(out, n, "EVEX.%d.%s%s.W%d %02X", ll[(b[k + 3] >> 5) & 3],
			 pp[b[k + 2] & 3], maps[m], b[k + 2] >> 7, b[k + 4]);
	} else if (k + 3 < len && b[k] == 0x8f) {
		snprintf(out, n, "XOP.%d.map%d.W%d %02X", (b[k + 2] & 4) ? 256 : 128,
			 b[k + 1] & 0x1f, b[k + 2] >> 7, b[k + 3]);
	} else {
		snprintf(out, n, "VEX?");
	}
}

static void encoding(const struct insn *in, const uint8_t *b, size_t len,
		     char *out, size_t n)
{
	char grp[16] = "";
	if (in->has_modrm && is_group(in->map, in->op)) {
		/* 0F 01 and 0F AE with mod=3 use the whole modrm byte. */
		if (in->map == MAP_0F && (in->op == 0x01 || in->op == 0xae) &&
		    in->mod == 3)
			snprintf(grp, sizeof(grp), " %02X",
				 0xc0 | ((in->reg & 7) << 3) | (in->rm & 7));
		else
			snprintf(grp, sizeof(grp), " /%d", in->reg & 7);
	}
	switch (in->map) {
	case MAP_1B:
		snprintf(out, n, "%02X%s", in->op, grp);
		break;
	case MAP_0F:
		snprintf(out, n, "%s0F %02X%s", pfx_name(in->pfx), in->op, grp);
		break;
	case MAP_0F38:
		snprintf(out, n, "%s0F38 %02X", pfx_name(in->pfx), in->op);
		break;
	case MAP_0F3A:
		snprintf(out, n, "%s0F3A %02X", pfx_name(in->pfx), in->op);
		break;
	default:
		vex_encoding(b, len, out, n);
		break;
	}
}

/* ------------------------------------------------------------ the model */

/*
 * Why a form is outside the CPU model at `level`, or NULL when it belongs to
 * it.  Capstone's groups name most extensions; a few instructions carry no
 * group and are named here.
 */
static const char *outside_model(csh cs, const cs_insn *ci, int level)
{
	static char why[160];
	const cs_detail *d = ci->detail;
	for (int g = 0; d && g < d->groups_count; g++) {
		switch (d->groups[g]) {
		case X86_GRP_VM: case X86_GRP_3DNOW: case X86_GRP_AES:
		case X86_GRP_ADX: case X86_GRP_AVX: case X86_GRP_AVX2:
		case X86_GRP_AVX512: case X86_GRP_BMI: case X86_GRP_BMI2:
		case X86_GRP_F16C: case X86_GRP_FMA: case X86_GRP_FMA4:
		case X86_GRP_FSGSBASE: case X86_GRP_RTM: case X86_GRP_SHA:
		case X86_GRP_SSE4A: case X86_GRP_PCLMUL: case X86_GRP_XOP:
		case X86_GRP_CDI: case X86_GRP_ERI: case X86_GRP_TBM:
		case X86_GRP_SGX: case X86_GRP_DQI: case X86_GRP_BWI:
		case X86_GRP_PFI: case X86_GRP_VLX: case X86_GRP_NOVLX:
		case X86_GRP_SMAP: case X86_GRP_PRIVILEGE: {
			const char *gn = cs_group_name(cs, d->groups[g]);
			snprintf(why, sizeof(why), "%s", gn ? gn : "extension");
			for (char *p = why; *p; p++)
				if (*p >= 'a' && *p <= 'z')
					*p -= 32;
			return why;
		}
		case X86_GRP_SSE3: case X86_GRP_SSSE3: case X86_GRP_SSE41:
		case X86_GRP_SSE42:
			if (level < CPU_LEVEL_V2) {
				const char *gn = cs_group_name(cs, d->groups[g]);
				snprintf(why, sizeof(why), "%s: x86-64-v2 only",
					 gn ? gn : "sse3+");
				for (char *p = why; *p && *p != ':'; p++)
					if (*p >= 'a' && *p <= 'z')
						*p -= 32;
				return why;
			}
			break;
		default:
			break;
		}
	}
	static const struct { const char *mn, *why; } named[] = {
		{ "rdrand", "RDRAND" }, { "rdseed", "RDSEED" },
		{ "rdpid", "RDPID" }, { "rdtscp", "RDTSCP" },
		{ "xgetbv", "XSAVE" }, { "xsetbv", "XSAVE" },
		{ "xsave", "XSAVE" }, { "xsave64", "XSAVE" },
		{ "xsavec", "XSAVE" }, { "xsavec64", "XSAVE" },
		{ "xsaveopt", "XSAVE" }, { "xsaveopt64", "XSAVE" },
		{ "xsaves", "XSAVE" }, { "xsaves64", "XSAVE" },
		{ "xrstor", "XSAVE" }, { "xrstor64", "XSAVE" },
		{ "xrstors", "XSAVE" }, { "xrstors64", "XSAVE" },
		{ "movbe", "MOVBE" },
		{ "lzcnt", "LZCNT: runs as bsr, as on CPUs without it" },
		{ "tzcnt", "BMI1: runs as bsf, as on CPUs without it" },
		{ "clflushopt", "CLFLUSHOPT" }, { "clwb", "CLWB" },
		{ "prefetchwt1", "PREFETCHWT1" }, { "ptwrite", "PTWRITE" },
		{ "rdpkru", "PKU" }, { "wrpkru", "PKU" },
		{ "monitor", "MONITOR (privileged)" },
		{ "mwait", "MONITOR (privileged)" },
		{ "umonitor", "WAITPKG" }, { "umwait", "WAITPKG" },
		{ "tpause", "WAITPKG" }, { "serialize", "SERIALIZE" },
		{ "xbegin", "RTM" }, { "xend", "RTM" }, { "xabort", "RTM" },
		{ "xtest", "RTM" }, { "clzero", "CLZERO" },
		{ "rdpru", "RDPRU" }, { "mcommit", "MCOMMIT" },
		{ "wrssd", "CET-SS" }, { "wrssq", "CET-SS" },
		{ "wrussd", "CET-SS" }, { "wrussq", "CET-SS" },
		{ "setssbsy", "CET-SS" }, { "clrssbsy", "CET-SS" },
		{ "rstorssp", "CET-SS" }, { "saveprevssp", "CET-SS" },
		{ "enqcmd", "ENQCMD" }, { "enqcmds", "ENQCMD" },
		{ "movdiri", "MOVDIRI" }, { "movdir64b", "MOVDIR64B" },
		{ "gf2p8affineqb", "GFNI" }, { "gf2p8affineinvqb", "GFNI" },
		{ "gf2p8mulb", "GFNI" }, { "aesenc", "AES" },
		{ "pclmulqdq", "PCLMUL" },
		{ "sha1rnds4", "SHA" }, { "sha256rnds2", "SHA" },
	};
	const char *mn = ci->mnemonic;
	/* "lock ", "rep " and friends come first in capstone's mnemonic. */
	const char *sp = strrchr(mn, ' ');
	if (sp)
		mn = sp + 1;
	for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++)
		if (!strcmp(mn, named[k].mn))
			return named[k].why;
	if (level < CPU_LEVEL_V2) {
		if (!strcmp(mn, "popcnt"))
			return "POPCNT: x86-64-v2 only";
		if (!strcmp(mn, "cmpxchg16b"))
			return "CMPXCHG16B: x86-64-v2 only";
		if (!strcmp(mn, "lahf") || !strcmp(mn, "sahf"))
			return "LAHF-SAHF: x86-64-v2 only";
		if (!strcmp(mn, "crc32"))
			return "SSE4.2: x86-64-v2 only";
	}
	return NULL;
}

/* ------------------------------------------------------------ scanning */

struct stats {
	uint64_t insns, skipped, sections;
};

static void scan_bytes(csh cs, cs_insn *ci, const struct optable *t, int level,
		       const uint8_t *p, size_t size, uint64_t addr,
		       struct stats *st)
{
	size_t off = 0;
	while (off < size) {
		const uint8_t *code = p + off;
		size_t avail = size - off;
		uint64_t a = addr + off;
		size_t clen = avail > 15 ? 15 : avail;
		uint64_t ca = a;
		struct insn in;
		memset(&in, 0, sizeof(in));
		int r = decode_insn(t, p + off, avail, a, &in);
		char enc[48], key[96];
		if (!cs_disasm_iter(cs, &code, &clen, &ca, ci)) {
			/* Capstone 4 lacks some VEX forms (kmov*, AVX-512
			 * additions): step over those by rewind's length
			 * rather than resynchronising inside them.  Anything
			 * else capstone rejects is data: skip a byte. */
			if (r > 0 && in.map == MAP_VEX_EVEX) {
				st->insns++;
				vex_encoding(p + off, (size_t)r, enc, sizeof(enc));
				snprintf(key, sizeof(key), "%-12s %s", "(unknown)", enc);
				form_add(K_OUTSIDE, key,
					 "AVX family, unknown to capstone", a);
				off += (size_t)r;
			} else if (r > 0 && in.fn != op_ud) {
				/* A form rewind runs that capstone 4 does not
				 * know (the CET hint NOPs rdsspq, ...). */
				st->insns++;
				off += (size_t)r;
			} else {
				st->skipped++;
				off++;
			}
			continue;
		}
		size_t len = ci->size;
		st->insns++;
		if (r > 0) {
			encoding(&in, p + off, len, enc, sizeof(enc));
		} else {
			size_t k = 0, m = 0;
			for (; k < len && m + 3 < sizeof(enc); k++)
				m += snprintf(enc + m, sizeof(enc) - m, "%s%02X",
					      k ? " " : "", p[off + k]);
		}
		snprintf(key, sizeof(key), "%-12s %s", ci->mnemonic, enc);
		if (r != (int)len) {
			char why[160];
			if (r > 0)
				snprintf(why, sizeof(why),
					 "rewind decodes %d bytes, capstone %zu",
					 r, len);
			else
				snprintf(why, sizeof(why),
					 "rewind's decoder fails (%d), capstone decodes %zu bytes",
					 r, len);
			form_add(K_LENGTH, key, why, a);
		}
		bool ud = r <= 0 || in.fn == op_ud;
		const char *out = outside_model(cs, ci, level);
		if (out && !ud && cs_insn_group(cs, ci, X86_GRP_PRIVILEGE)) {
			/* Its handler faults as the CPU does in user mode. */
		} else if (out) {
			char why[160];
			snprintf(why, sizeof(why), "%.100s%s", out,
				 ud ? "" : "; slot shared with in-model forms");
			form_add(K_OUTSIDE, key, why, a);
		} else if (ud) {
			form_add(K_MISSING, key, NULL, a);
		}
		off += len;
	}
}

/* Scan one file; returns 0 (nothing listed), 1 (something listed) or
 * EXIT_BAD. */
static int scan_file(const char *path, int level, csh cs, cs_insn *ci)
{
	const struct optable *t = optable_get(level);
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "isa-scan: %s: %s\n", path, strerror(errno));
		return EXIT_BAD;
	}
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		fprintf(stderr, "isa-scan: %s: not an ELF file\n", path);
		if (e)
			elf_end(e);
		close(fd);
		return EXIT_BAD;
	}
	if (gelf_getclass(e) != ELFCLASS64 || eh.e_machine != EM_X86_64) {
		fprintf(stderr, "isa-scan: %s: not an x86-64 ELF file\n", path);
		elf_end(e);
		close(fd);
		return EXIT_BAD;
	}

	nforms = 0;
	struct stats st = { 0, 0, 0 };
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_EXECINSTR) ||
		    sh.sh_type == SHT_NOBITS)
			continue;
		Elf_Data *d = NULL;
		uint64_t base = sh.sh_addr;
		while ((d = elf_getdata(scn, d))) {
			if (!d->d_buf)
				continue;
			scan_bytes(cs, ci, t, level, d->d_buf, d->d_size,
				   base + d->d_off, &st);
		}
		st.sections++;
	}
	if (st.sections == 0) {
		/* No section headers: executable PT_LOAD segments. */
		size_t nph = 0, fsize = 0;
		char *img = elf_rawfile(e, &fsize);
		if (elf_getphdrnum(e, &nph) == 0 && img) {
			for (size_t k = 0; k < nph; k++) {
				GElf_Phdr ph;
				if (!gelf_getphdr(e, (int)k, &ph) ||
				    ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
					continue;
				if (ph.p_offset > fsize ||
				    ph.p_filesz > fsize - ph.p_offset) {
					fprintf(stderr, "isa-scan: %s: segment %zu "
						"lies outside the file\n", path, k);
					elf_end(e);
					close(fd);
					return EXIT_BAD;
				}
				scan_bytes(cs, ci, t, level,
					   (uint8_t *)img + ph.p_offset,
					   ph.p_filesz, ph.p_vaddr, &st);
				st.sections++;
			}
		}
	}
	elf_end(e);
	close(fd);

	if (nforms)
		qsort(forms, nforms, sizeof(*forms), form_cmp);
	size_t n[3] = { 0, 0, 0 };
	for (size_t k = 0; k < nforms; k++)
		n[forms[k].kind]++;
	printf("%s: x86-64-v%d, %llu instructions in %llu executable "
	       "section%s, %llu bytes skipped (not instructions to capstone)\n",
	       path, level, (unsigned long long)st.insns,
	       (unsigned long long)st.sections, st.sections == 1 ? "" : "s",
	       (unsigned long long)st.skipped);
	for (size_t k = 0; k < nforms; k++) {
		const struct form *f = &forms[k];
		printf("  %-8s %8llu  %#-10llx  %-40s%s%s%s\n", kind_tag[f->kind],
		       (unsigned long long)f->count,
		       (unsigned long long)f->first, f->key,
		       f->why[0] ? "  (" : "", f->why, f->why[0] ? ")" : "");
	}
	printf("%s: %zu form%s missing inside the model, %zu outside the "
	       "model, %zu length disagreement%s\n", path, n[K_MISSING],
	       n[K_MISSING] == 1 ? "" : "s", n[K_OUTSIDE], n[K_LENGTH],
	       n[K_LENGTH] == 1 ? "" : "s");
	return (n[K_MISSING] || n[K_OUTSIDE]) ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: isa-scan [--cpu=x86-64-v1|x86-64-v2] BINARY...\n");
}

static int parse_level(const char *s)
{
	if (!strcmp(s, "x86-64-v1") || !strcmp(s, "v1") || !strcmp(s, "x86-64"))
		return CPU_LEVEL_V1;
	if (!strcmp(s, "x86-64-v2") || !strcmp(s, "v2"))
		return CPU_LEVEL_V2;
	return -1;
}

int main(int argc, char **argv)
{
	int level = CPU_LEVEL_V1, k = 1;
	for (; k < argc && argv[k][0] == '-'; k++) {
		const char *a = argv[k];
		if (!strcmp(a, "--")) {
			k++;
			break;
		} else if (!strncmp(a, "--cpu=", 6)) {
			level = parse_level(a + 6);
		} else if (!strcmp(a, "--cpu") && k + 1 < argc) {
			level = parse_level(argv[++k]);
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "isa-scan: unknown option %s\n", a);
			usage(stderr);
			return EXIT_BAD;
		}
		if (level < 0) {
			fprintf(stderr, "isa-scan: unknown CPU model in %s "
				"(x86-64-v1 or x86-64-v2)\n", a);
			return EXIT_BAD;
		}
	}
	if (k >= argc) {
		usage(stderr);
		return EXIT_BAD;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		fprintf(stderr, "isa-scan: libelf: %s\n", elf_errmsg(-1));
		return EXIT_BAD;
	}
	csh cs;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		fprintf(stderr, "isa-scan: capstone cannot open x86-64\n");
		return EXIT_BAD;
	}
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	cs_insn *ci = cs_malloc(cs);

	int status = 0;
	for (; k < argc; k++) {
		int r = scan_file(argv[k], level, cs, ci);
		if (r == EXIT_BAD)
			status = EXIT_BAD;
		else if (r && status == 0)
			status = 1;
		fflush(stdout);
	}
	cs_free(ci, 1);
	cs_close(&cs);
	free(forms);
	return status;
}
