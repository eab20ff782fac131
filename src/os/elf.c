/*
 * elf.c - loading a static x86-64 ELF executable into a fresh guest process.
 *
 * The file is hostile input.  Every field is checked before it is used:
 * the identification bytes, the ELF header, each program header, and every
 * sum of offsets and sizes (checked for overflow).  libelf (gelf) parses
 * the ELF header and the program headers from a copy in memory that holds
 * nothing else (elf_headers_image), and the checks that decide what we map
 * are our own, so that nothing depends on what a given libelf version
 * happens to tolerate, and section headers (which Linux ignores) cannot
 * make us refuse a program Linux would run.
 *
 * Then, in Linux's order (fs/binfmt_elf.c, load_elf_binary):
 *  1. map each PT_LOAD segment: a private file mapping of the pages that
 *     hold p_filesz bytes, the rest of the last file page zeroed, and
 *     anonymous zero pages up to p_memsz (the bss);
 *  2. set the initial break at the page-aligned end of the highest segment
 *     (Linux randomizes brk; we don't, the layout is fixed);
 *  3. map the stack and build argc/argv/envp/auxv exactly as
 *     create_elf_tables() does (see elf_build_stack below);
 *  4. set rip to the entry point and rsp to argc; other registers stay zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/cpuid.h"
#include "mem/layout.h"
#include "mem/mem.h"
#include "os/elf.h"
#include "os/journal.h"

/* Linux refuses more program headers than fit in 64 KiB
 * (load_elf_phdrs: e_phnum > 65536 / sizeof(struct elf_phdr)). */
#define ELF_MAX_PHNUM (65536 / sizeof(Elf64_Phdr))

/* Longest PT_INTERP string we bother to read for the error message. */
#define ELF_MAX_INTERP 256

/* Linux's limits on the arguments (fs/exec.c): one string at most
 * MAX_ARG_STRLEN, everything together at most a quarter of the stack
 * rlimit.  Beyond that execve fails with E2BIG. */
#define ELF_MAX_ARG_STRLEN (32 * GUEST_PAGE_SIZE)
#define ELF_MAX_ARG_TOTAL  (GUEST_STACK_SIZE / 4)

/*
 * AT_MINSIGSTKSZ: Linux (arch/x86/kernel/signal.c, init_sigframe_size)
 * passes the worst-case signal frame size: sizeof(struct rt_sigframe)
 * (440 on x86-64) + 15 bytes of alignment padding + the FPU state + 63
 * bytes of XSAVE alignment padding, rounded up to 16.  Our CPU model has
 * FXSR but no XSAVE (engine/cpuid.h), so the FPU state in the frame is the
 * 512-byte FXSAVE image, as a kernel on such a CPU would write it:
 * 440 + 15 + 512 + 63 = 1030 -> 1040.  glibc returns it from
 * sysconf(_SC_MINSIGSTKSZ) (and 8192 for _SC_SIGSTKSZ), so the signal
 * frames src/os/signal.c builds must never need more than this.
 */
#define ELF_MINSIGSTKSZ 1040

/* The platform string Linux passes on x86-64 (ELF_PLATFORM). */
#define ELF_PLATFORM "x86_64"

/* Bits for auxv, not in every libc's elf.h. */
#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif
#ifndef AT_HWCAP2
#define AT_HWCAP2 26
#endif
#ifndef AT_EXECFN
#define AT_EXECFN 31
#endif
#ifndef AT_RANDOM
#define AT_RANDOM 25
#endif
#ifndef AT_SECURE
#define AT_SECURE 23
#endif

#define PAGE_DOWN(x) ((x) & GUEST_PAGE_MASK)
/* Only used on values already checked to be below GUEST_LIMIT. */
#define PAGE_UP(x) (((x) + GUEST_PAGE_SIZE - 1) & GUEST_PAGE_MASK)

/* One PT_LOAD segment, validated, addresses before the load bias. */
struct elf_seg {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags;
};

/* What the headers told us. */
struct elf_image {
	const char *path;	/* as given, for messages */
	int fd;
	uint64_t size;		/* of the file */
	unsigned char ehdr[sizeof(Elf64_Ehdr)];	/* raw, from the file */
	unsigned char *hdrs;	/* what libelf reads, see elf_headers_image */
	Elf *elf;
	uint16_t type;
	uint64_t entry;
	uint64_t phoff;
	uint64_t phnum;
	struct elf_seg *segs;
	size_t nsegs;
	int has_phdr;		/* PT_PHDR seen */
	uint64_t phdr_vaddr;
	uint64_t bias;
};

static int elf_fail(char *err, size_t errlen, int code, const char *path,
		    const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Write "PATH: message" into err and return code. */
static int elf_fail(char *err, size_t errlen, int code, const char *path,
		    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || errlen == 0)
		return code;
	n = snprintf(err, errlen, "%s: ", path);
	if (n < 0 || (size_t)n >= errlen)
		return code;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return code;
}

/* a + b without wrapping, or -1. */
static int add_overflows(uint64_t a, uint64_t b, uint64_t *sum)
{
	return __builtin_add_overflow(a, b, sum);
}

/* A human name for e_machine values people actually meet. */
static const char *elf_machine_name(unsigned machine)
{
	switch (machine) {
	case EM_386:		return "i386";
	case EM_X86_64:		return "x86-64";
	case EM_ARM:		return "arm";
	case EM_AARCH64:	return "aarch64";
	case EM_RISCV:		return "riscv";
	case EM_PPC:		return "ppc";
	case EM_PPC64:		return "ppc64";
	case EM_S390:		return "s390";
	case EM_MIPS:		return "mips";
	case EM_SPARCV9:	return "sparc64";
	case EM_IA_64:		return "ia64";
#ifdef EM_LOONGARCH
	case EM_LOONGARCH:	return "loongarch";
#endif
	default:		return NULL;
	}
}

/*
 * The 16 AT_RANDOM bytes.  They seed the guest libc's stack protector and
 * pointer guard, so they are a nondeterministic input of the run: the
 * recorder will journal them here and replay will feed them back
 * (DESIGN.md, determinism contract).  Keep every source of randomness for
 * the initial state in this one function.
 */
static int elf_fill_random(struct proc *p, uint8_t out[16])
{
	size_t got = 0;

	if (p->journal && journal_mode(p->journal) == JOURNAL_REPLAY)
		return journal_random_bytes(p, out);

	while (got < 16) {
		ssize_t n = getrandom(out + got, 16 - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	if (p->journal)
		return journal_random_bytes(p, out);
	return 0;
}

/*
 * Check the identification bytes and the parts of the ELF header that
 * decide which message the user sees, before libelf gets the file.
 * Reading them ourselves lets us say "32-bit ELF (i386)" or "ELF for
 * aarch64" instead of a generic libelf error.
 */
static int elf_check_ident(struct elf_image *im, char *err, size_t errlen)
{
	unsigned char h[sizeof(Elf64_Ehdr)];
	ssize_t n;
	unsigned machine;
	const char *name;

	memset(h, 0, sizeof(h));
	n = pread(im->fd, h, sizeof(h), 0);
	if (n < 0)
		return elf_fail(err, errlen, ELF_EIO, im->path,
				"cannot read: %s", strerror(errno));
	if (n < SELFMAG || memcmp(h, ELFMAG, SELFMAG) != 0)
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"not an ELF executable");
	/* e_machine is at offset 18 in both classes. */
	if (n < 20)
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"truncated ELF file (%zd bytes, the ELF header "
				"needs %zu)", n, sizeof(Elf64_Ehdr));
	if (h[EI_DATA] == ELFDATA2LSB)
		machine = h[18] | (unsigned)h[19] << 8;
	else if (h[EI_DATA] == ELFDATA2MSB)
		machine = h[19] | (unsigned)h[18] << 8;
	else
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"bad ELF data encoding %u", h[EI_DATA]);
	name = elf_machine_name(machine);
	if (h[EI_DATA] == ELFDATA2MSB && (!name || machine == EM_X86_64))
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"big-endian ELF (machine %u) is not supported",
				machine);
	if (h[EI_CLASS] == ELFCLASS32) {
		if (name)
			return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
					"32-bit ELF (%s) is not supported",
					name);
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"32-bit ELF (machine %u) is not supported",
				machine);
	}
	if (h[EI_CLASS] != ELFCLASS64)
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"bad ELF class %u", h[EI_CLASS]);
	if (machine != EM_X86_64) {
		if (name)
			return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
					"ELF for %s, not x86-64", name);
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"ELF for machine %u, not x86-64", machine);
	}
	if (h[EI_VERSION] != EV_CURRENT)
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"unknown ELF version %u", h[EI_VERSION]);
	if ((size_t)n < sizeof(Elf64_Ehdr))
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"truncated ELF file (%zd bytes, the ELF header "
				"needs %zu)", n, sizeof(Elf64_Ehdr));
	memcpy(im->ehdr, h, sizeof(h));
	return 0;
}

/* Copy the PT_INTERP string into buf as printable text (it may be
 * anything: it goes into a terminal). */
static void elf_read_interp(struct elf_image *im, const GElf_Phdr *ph,
			    char *buf, size_t buflen)
{
	char raw[ELF_MAX_INTERP];
	uint64_t end, len = ph->p_filesz;
	ssize_t n;
	size_t i, o = 0;

	buf[0] = 0;
	if (len > sizeof(raw))
		len = sizeof(raw);
	if (add_overflows(ph->p_offset, len, &end) || end > im->size)
		return;
	n = pread(im->fd, raw, len, (off_t)ph->p_offset);
	if (n <= 0)
		return;
	for (i = 0; i < (size_t)n && raw[i] && o + 1 < buflen; i++)
		buf[o++] = (raw[i] >= 0x20 && raw[i] < 0x7f) ? raw[i] : '?';
	buf[o] = 0;
}

/*
 * Read the program headers, refuse what we cannot run, and collect the
 * PT_LOAD segments.  Each check names the header index so a user (or a
 * fuzzer crash report) can find the field.
 */
static int elf_read_phdrs(struct elf_image *im, char *err, size_t errlen)
{
	uint64_t i, prev_end = 0;
	GElf_Phdr ph;

	im->segs = calloc(im->phnum, sizeof(*im->segs));
	if (!im->segs)
		return elf_fail(err, errlen, -ENOMEM, im->path,
				"out of memory");
	for (i = 0; i < im->phnum; i++) {
		uint64_t fend, mend;
		struct elf_seg *s;

		if (!gelf_getphdr(im->elf, (int)i, &ph))
			return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
					"bad program header %" PRIu64 " (%s)",
					i, elf_errmsg(-1));
		switch (ph.p_type) {
		case PT_INTERP: {
			char interp[ELF_MAX_INTERP];

			elf_read_interp(im, &ph, interp, sizeof(interp));
			return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
					"dynamically linked executables are "
					"not supported yet (PT_INTERP %s); "
					"link with -static",
					interp[0] ? interp : "?");
		}
		case PT_PHDR:
			im->has_phdr = 1;
			im->phdr_vaddr = ph.p_vaddr;
			continue;
		case PT_GNU_STACK:
			/* PF_X asks for an executable stack: we ignore it,
			 * the stack is always RW (as with Linux's
			 * noexec-stack policies). */
			continue;
		case PT_TLS:
			/* The static libc sets up TLS itself from its
			 * program headers (found through AT_PHDR). */
			continue;
		case PT_LOAD:
			break;
		default:
			continue;
		}

		if (ph.p_filesz > ph.p_memsz)
			return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
					"segment %" PRIu64 ": p_filesz 0x%" PRIx64
					" > p_memsz 0x%" PRIx64, i,
					(uint64_t)ph.p_filesz,
					(uint64_t)ph.p_memsz);
		if (add_overflows(ph.p_offset, ph.p_filesz, &fend) ||
		    fend > im->size)
			return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
					"truncated ELF file (segment %" PRIu64
					" needs file bytes up to %" PRIu64
					", the file has %" PRIu64 " bytes)", i,
					add_overflows(ph.p_offset, ph.p_filesz,
						      &fend) ? UINT64_MAX : fend,
					im->size);
		/* Only file bytes are mapped by offset: a bss-only segment
		 * may have any p_offset (Linux doesn't look at it). */
		if (ph.p_filesz > 0 &&
		    (ph.p_vaddr - ph.p_offset) % GUEST_PAGE_SIZE != 0)
			return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
					"segment %" PRIu64 ": p_vaddr 0x%" PRIx64
					" and p_offset 0x%" PRIx64 " differ "
					"modulo the page size", i,
					(uint64_t)ph.p_vaddr,
					(uint64_t)ph.p_offset);
		if (add_overflows(ph.p_vaddr, ph.p_memsz, &mend) ||
		    mend > GUEST_LIMIT)
			return elf_fail(err, errlen, ELF_ENOMEM, im->path,
					"segment %" PRIu64 " at 0x%" PRIx64
					" size 0x%" PRIx64 " is outside the guest "
					"address space (limit 0x%llx)", i,
					(uint64_t)ph.p_vaddr,
					(uint64_t)ph.p_memsz, GUEST_LIMIT);
		if (ph.p_memsz == 0)
			continue;	/* maps nothing (Linux skips it too) */
		/* The ELF spec requires PT_LOAD in ascending p_vaddr order;
		 * overlapping bytes would make one segment clobber another.
		 * Sharing a page is fine: later segments win, as in Linux. */
		if (im->nsegs > 0 && ph.p_vaddr < prev_end)
			return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
					"segment %" PRIu64 " at 0x%" PRIx64
					" overlaps or precedes the previous "
					"segment (ending at 0x%" PRIx64 ")", i,
					(uint64_t)ph.p_vaddr, prev_end);
		prev_end = mend;
		s = &im->segs[im->nsegs++];
		s->vaddr = ph.p_vaddr;
		s->memsz = ph.p_memsz;
		s->offset = ph.p_offset;
		s->filesz = ph.p_filesz;
		s->flags = ph.p_flags;
	}
	if (im->nsegs == 0)
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"no loadable segments");
	return 0;
}

/*
 * Choose the load bias and check that the biased image fits between
 * GUEST_MMAP_MIN and the stack, and that the entry point is in an
 * executable segment.
 */
static int elf_place(struct elf_image *im, char *err, size_t errlen)
{
	uint64_t lo = PAGE_DOWN(im->segs[0].vaddr);
	uint64_t hi = im->segs[im->nsegs - 1].vaddr +
		      im->segs[im->nsegs - 1].memsz;	/* checked < LIMIT */
	uint64_t ceiling = GUEST_STACK_TOP - GUEST_STACK_SIZE;
	uint64_t entry;
	size_t i;

	if (im->type == ET_DYN) {
		/* static-PIE: the lowest page goes to GUEST_PIE_BASE, like
		 * Linux's load_bias = ELF_PAGESTART(base - vaddr). */
		im->bias = GUEST_PIE_BASE - lo;
		if (PAGE_UP(hi) - lo > ceiling - GUEST_PIE_BASE)
			return elf_fail(err, errlen, ELF_ENOMEM, im->path,
					"position-independent image of 0x%"
					PRIx64 " bytes is too large", hi - lo);
	} else {
		im->bias = 0;
		if (lo < GUEST_MMAP_MIN)
			return elf_fail(err, errlen, ELF_ENOMEM, im->path,
					"segment at 0x%" PRIx64 " is below the "
					"lowest mappable address 0x%llx",
					im->segs[0].vaddr, GUEST_MMAP_MIN);
		if (PAGE_UP(hi) > ceiling)
			return elf_fail(err, errlen, ELF_ENOMEM, im->path,
					"segments end at 0x%" PRIx64 ", above "
					"the guest's stack at 0x%" PRIx64, hi,
					ceiling);
	}

	if (add_overflows(im->entry, im->bias, &entry))
		entry = UINT64_MAX;
	for (i = 0; i < im->nsegs; i++) {
		const struct elf_seg *s = &im->segs[i];

		if ((s->flags & PF_X) && im->entry >= s->vaddr &&
		    im->entry - s->vaddr < s->memsz)
			return 0;
	}
	return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
			"entry point 0x%" PRIx64 " is not in an executable "
			"segment", entry);
}

static int elf_prot(uint32_t pf)
{
	return ((pf & PF_R) ? PROT_READ : 0) |
	       ((pf & PF_W) ? PROT_WRITE : 0) |
	       ((pf & PF_X) ? PROT_EXEC : 0);
}

/*
 * A bss-only segment (p_filesz 0) that starts inside a page an earlier
 * segment mapped: the bytes below start are that segment's, so keep the
 * page, zero the part of it in [start, end) and give the page both
 * segments' permissions.  (Linux maps fresh zero pages over it and so
 * wipes the earlier segment's last bytes; linkers don't emit such layouts
 * on purpose, and no program can want that.)
 */
static int elf_zero_shared_page(struct proc *p, uint64_t start,
				uint64_t end, int prot)
{
	uint64_t page = PAGE_DOWN(start);
	const struct mem_region *r = mem_find(p->mem, page);
	int old = r->prot;
	int rc;

	if (end > page + GUEST_PAGE_SIZE)
		end = page + GUEST_PAGE_SIZE;
	rc = mem_protect(p->mem, page, GUEST_PAGE_SIZE, old | PROT_WRITE);
	if (rc < 0)
		return rc;
	memset(mem_base(p->mem) + start, 0, end - start);
	return mem_protect(p->mem, page, GUEST_PAGE_SIZE, old | prot);
}

/*
 * Map one segment like Linux's elf_map() + padzero() + the bss mapping:
 *   [PAGE_DOWN(start), PAGE_UP(start + filesz))  private file mapping,
 *   [start + filesz, PAGE_UP(start + filesz))    zeroed (file bytes past
 *                                                the segment),
 *   [PAGE_UP(start + filesz), PAGE_UP(start + memsz))  anonymous zeroes.
 * The zeroing writes through the host view, so the file part is mapped
 * writable first and given its final protection afterwards.
 */
static int elf_map_segment(struct proc *p, struct elf_image *im,
			   const struct elf_seg *s, const char *name,
			   char *err, size_t errlen)
{
	uint64_t start = s->vaddr + im->bias;
	uint64_t page = PAGE_DOWN(start);
	uint64_t file_end = start + s->filesz;
	uint64_t file_pages_end = PAGE_UP(file_end);
	uint64_t mem_end = PAGE_UP(start + s->memsz);
	int prot = elf_prot(s->flags);
	int64_t r;

	if (s->filesz > 0) {
		int zero_tail = s->memsz > s->filesz &&
				file_end != file_pages_end;
		int map_prot = prot | (zero_tail ? PROT_WRITE : 0);

		r = mem_map(p->mem, page, file_pages_end - page, map_prot,
			    MAP_PRIVATE | MAP_FIXED, im->fd,
			    s->offset - (start - page));
		if (r < 0)
			goto err_map;
		mem_set_name(p->mem, page, name);
		if (zero_tail) {
			memset(mem_base(p->mem) + file_end, 0,
			       file_pages_end - file_end);
			if (map_prot != prot) {
				r = mem_protect(p->mem, page,
						file_pages_end - page, prot);
				if (r < 0)
					goto err_map;
			}
		}
	} else {
		file_pages_end = page;
		if (page < start && mem_find(p->mem, page)) {
			r = elf_zero_shared_page(p, start, start + s->memsz,
						 prot);
			if (r < 0)
				goto err_map;
			file_pages_end = page + GUEST_PAGE_SIZE;
		}
	}
	if (mem_end > file_pages_end) {
		r = mem_map(p->mem, file_pages_end, mem_end - file_pages_end,
			    prot, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1,
			    0);
		if (r < 0)
			goto err_map;
	}
	return 0;

err_map:
	return elf_fail(err, errlen, (int)r, im->path,
			"cannot map segment at 0x%" PRIx64 ": %s", start,
			strerror((int)-r));
}

/* AT_PHDR: where the program headers are in guest memory.  Like Linux
 * >= 5.18: the loaded segment whose file bytes contain e_phoff (the last
 * one, if several do); failing that, what PT_PHDR says (older kernels'
 * rule); else 0, and a libc that needs them will fail as on Linux. */
static uint64_t elf_phdr_addr(const struct elf_image *im)
{
	uint64_t addr = 0;
	int found = 0;
	size_t i;

	for (i = 0; i < im->nsegs; i++) {
		const struct elf_seg *s = &im->segs[i];

		if (s->offset <= im->phoff &&
		    im->phoff - s->offset < s->filesz) {
			addr = im->phoff - s->offset + s->vaddr + im->bias;
			found = 1;
		}
	}
	if (!found && im->has_phdr)
		addr = im->phdr_vaddr + im->bias;
	return addr;
}

struct auxv_entry {
	uint64_t type, val;
};

/*
 * Map the stack and lay out the initial process state exactly as Linux
 * does (fs/exec.c then fs/binfmt_elf.c:create_elf_tables), from the top
 * of the stack downwards, with no randomization:
 *
 *   GUEST_STACK_TOP
 *     8 zero bytes                  (bprm->p = vm_end - sizeof(void *))
 *     execfn string                 (AT_EXECFN)
 *     envp strings, envp[envc-1] highest ... envp[0]
 *     argv strings, argv[argc-1] highest ... argv[0]
 *     -- round down to 16 (arch_align_stack, here without the random
 *        offset Linux subtracts) --
 *     "x86_64\0"                    (AT_PLATFORM, 7 bytes)
 *     16 random bytes               (AT_RANDOM, so at an odd address)
 *     gap: whatever rounding below leaves
 *     auxv pairs, AT_NULL last
 *     NULL, envp[envc-1] ... envp[0]
 *     NULL, argv[argc-1] ... argv[0]
 *     argc                          <- rsp, 16-byte aligned
 *
 * The argv/envp strings end up contiguous in the order argv[0]..envp[n]
 * (what ps and /proc/self/cmdline rely on).  rsp is
 * ((auxv_start - 8 * (argc + 1 + envc + 1 + 1)) & ~15), Linux's
 * STACK_ROUND, with the pointer arrays and auxv packed right above it.
 *
 * auxv is Linux 6.x's list in its order, minus AT_SYSINFO_EHDR (no vDSO:
 * libcs fall back to real syscalls) and AT_RSEQ_FEATURE_SIZE/ALIGN (we
 * don't implement rseq; a kernel without CONFIG_RSEQ omits them too).
 */
static int elf_build_stack(struct proc *p, struct cpu *c,
			   struct elf_image *im, const char *execfn,
			   char *const argv[], char *const envp[],
			   char *err, size_t errlen)
{
	static char *const empty_argv[] = { "", NULL };
	uint8_t *base = mem_base(p->mem);
	uint64_t argc = 0, envc = 0, strbytes, total, i;
	uint64_t sp, execfn_addr, platform_addr, random_addr, *ptrs;
	uint64_t rsp, auxv_addr, items;
	struct auxv_entry auxv[32];
	size_t nauxv = 0, len;
	uint8_t rnd[16];
	uint32_t cpuid1[4];
	int64_t r;
	int rc;

	/* Linux >= 5.18 gives a program started with an empty argv a
	 * single "" argument (CVE-2021-4034). */
	if (!argv || !argv[0])
		argv = empty_argv;
	len = strlen(execfn) + 1;
	if (len > ELF_MAX_ARG_STRLEN)
		goto err_2big;
	strbytes = len;
	for (argc = 0; argv[argc]; argc++) {
		len = strlen(argv[argc]) + 1;
		if (len > ELF_MAX_ARG_STRLEN || argc > ELF_MAX_ARG_TOTAL / 8)
			goto err_2big;
		strbytes += len;
	}
	for (envc = 0; envp && envp[envc]; envc++) {
		len = strlen(envp[envc]) + 1;
		if (len > ELF_MAX_ARG_STRLEN || envc > ELF_MAX_ARG_TOTAL / 8)
			goto err_2big;
		strbytes += len;
	}
	/* Strings + pointer arrays + auxv + platform/random + alignment. */
	total = strbytes + 8 * (argc + envc + 3) + sizeof(auxv) + 64;
	if (total > ELF_MAX_ARG_TOTAL)
		goto err_2big;

	r = mem_map(p->mem, GUEST_STACK_TOP - GUEST_STACK_SIZE,
		    GUEST_STACK_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN,
		    -1, 0);
	if (r < 0)
		return elf_fail(err, errlen, (int)r, im->path,
				"cannot map the stack: %s", strerror((int)-r));
	mem_set_name(p->mem, GUEST_STACK_TOP - GUEST_STACK_SIZE, "[stack]");

	ptrs = calloc(argc + envc + 2, sizeof(*ptrs));
	if (!ptrs)
		return elf_fail(err, errlen, -ENOMEM, im->path,
				"out of memory");

	sp = GUEST_STACK_TOP - 8;
#define PUSH_STRING(s, addr) do {				\
		size_t n_ = strlen(s) + 1;			\
		sp -= n_;					\
		memcpy(base + sp, (s), n_);			\
		(addr) = sp;					\
	} while (0)
	PUSH_STRING(execfn, execfn_addr);
	for (i = envc; i-- > 0;)
		PUSH_STRING(envp[i], ptrs[argc + 1 + i]);
	for (i = argc; i-- > 0;)
		PUSH_STRING(argv[i], ptrs[i]);
#undef PUSH_STRING
	ptrs[argc] = 0;
	ptrs[argc + 1 + envc] = 0;

	sp &= ~15ULL;
	sp -= sizeof(ELF_PLATFORM);
	platform_addr = sp;
	memcpy(base + sp, ELF_PLATFORM, sizeof(ELF_PLATFORM));
	rc = elf_fill_random(p, rnd);
	if (rc < 0) {
		free(ptrs);
		return elf_fail(err, errlen, rc, im->path,
				"getrandom for AT_RANDOM failed: %s",
				strerror(-rc));
	}
	sp -= sizeof(rnd);
	random_addr = sp;
	memcpy(base + sp, rnd, sizeof(rnd));

	cpuid_query(c->level, 1, 0, cpuid1);
#define AUX(t, v) (auxv[nauxv].type = (t), auxv[nauxv++].val = (v))
	AUX(AT_MINSIGSTKSZ, ELF_MINSIGSTKSZ);
	AUX(AT_HWCAP, cpuid1[3]);
	AUX(AT_PAGESZ, GUEST_PAGE_SIZE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, p->phdr);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, p->phnum);
	AUX(AT_BASE, 0);		/* no interpreter */
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, p->entry);
	AUX(AT_UID, (uint64_t)p->uid);
	AUX(AT_EUID, (uint64_t)p->uid);
	AUX(AT_GID, (uint64_t)p->gid);
	AUX(AT_EGID, (uint64_t)p->gid);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, random_addr);
	AUX(AT_HWCAP2, 0);
	AUX(AT_EXECFN, execfn_addr);
	AUX(AT_PLATFORM, platform_addr);
	AUX(AT_NULL, 0);
#undef AUX

	auxv_addr = sp - nauxv * sizeof(auxv[0]);
	items = (argc + 1) + (envc + 1) + 1;
	rsp = (auxv_addr - items * 8) & ~15ULL;
	/* Linux copies auxv right after the envp NULL, i.e. at
	 * rsp + 8 * items, which is at or below auxv_addr. */
	auxv_addr = rsp + items * 8;

	memcpy(base + rsp, &argc, 8);
	memcpy(base + rsp + 8, ptrs, (argc + envc + 2) * 8);
	memcpy(base + auxv_addr, auxv, nauxv * sizeof(auxv[0]));
	free(ptrs);

	p->auxv_addr = auxv_addr;
	p->auxv_len = nauxv * sizeof(auxv[0]);
	c->gpr[R_RSP] = rsp;
	return 0;

err_2big:
	return elf_fail(err, errlen, -E2BIG, im->path,
			"argument list too long");
}

/* Open path the way execve checks it: a regular file we may execute. */
static int elf_open(struct elf_image *im, char *err, size_t errlen)
{
	struct stat st;
	int e;

	im->fd = open(im->path, O_RDONLY | O_CLOEXEC);
	if (im->fd < 0) {
		e = errno;
		return elf_fail(err, errlen,
				e == ENOENT ? ELF_ENOTFOUND : ELF_ENOEXEC,
				im->path, "%s", strerror(e));
	}
	if (fstat(im->fd, &st) < 0)
		return elf_fail(err, errlen, ELF_EIO, im->path, "%s",
				strerror(errno));
	if (S_ISDIR(st.st_mode))
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"Is a directory");
	if (!S_ISREG(st.st_mode))
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"not a regular file");
	/* execve needs execute permission (and a mount without noexec);
	 * access(X_OK) asks the kernel the same question. */
	if (faccessat(AT_FDCWD, im->path, X_OK, AT_EACCESS) < 0)
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path, "%s",
				strerror(errno));
	im->size = (uint64_t)st.st_size;
	return 0;
}

/*
 * Build the image libelf parses: the ELF header followed by phnum program
 * headers read from phoff (both already checked to be in the file), with
 * e_phoff pointing right after the header and the section header fields
 * zeroed.  Linux's loader never looks at sections, so a stripped, packed
 * or deliberately mangled section table must not stop a program that
 * Linux would run; and libelf then never touches the rest of the file.
 * phnum 0 gives just the ELF header.
 */
static int elf_headers_image(struct elf_image *im, uint64_t phoff,
			     uint64_t phnum, char *err, size_t errlen)
{
	size_t phsize = phnum * sizeof(Elf64_Phdr);
	Elf64_Ehdr eh;
	ssize_t n;

	memcpy(&eh, im->ehdr, sizeof(eh));	/* x86-64: LSB like the file */
	eh.e_phoff = phnum ? sizeof(eh) : 0;
	eh.e_phnum = (Elf64_Half)phnum;
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = 0;
	if (im->elf)
		elf_end(im->elf);
	im->elf = NULL;
	free(im->hdrs);
	im->hdrs = malloc(sizeof(eh) + phsize);
	if (!im->hdrs)
		return elf_fail(err, errlen, -ENOMEM, im->path,
				"out of memory");
	memcpy(im->hdrs, &eh, sizeof(eh));
	if (phsize) {
		n = pread(im->fd, im->hdrs + sizeof(eh), phsize, (off_t)phoff);
		if (n < 0)
			return elf_fail(err, errlen, ELF_EIO, im->path,
					"cannot read: %s", strerror(errno));
		if ((size_t)n != phsize)	/* the file shrank under us */
			return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
					"truncated ELF file (short read of the "
					"program headers)");
	}
	im->elf = elf_memory((char *)im->hdrs, sizeof(eh) + phsize);
	if (!im->elf || elf_kind(im->elf) != ELF_K_ELF ||
	    gelf_getclass(im->elf) != ELFCLASS64)
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"invalid ELF header (%s)", elf_errmsg(-1));
	return 0;
}

/* The ELF header fields we use, checked; then the program headers are
 * made available to libelf (im->elf). */
static int elf_read_ehdr(struct elf_image *im, char *err, size_t errlen)
{
	GElf_Ehdr eh;
	uint64_t phend;
	int rc;

	rc = elf_headers_image(im, 0, 0, err, errlen);
	if (rc)
		return rc;
	if (!gelf_getehdr(im->elf, &eh))
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"invalid ELF header (%s)", elf_errmsg(-1));
	/* The real e_phoff and e_phnum, not the image's. */
	memcpy(&eh.e_phoff, im->ehdr + offsetof(Elf64_Ehdr, e_phoff),
	       sizeof(eh.e_phoff));
	memcpy(&eh.e_phnum, im->ehdr + offsetof(Elf64_Ehdr, e_phnum),
	       sizeof(eh.e_phnum));
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"not an executable (ELF type %u)",
				(unsigned)eh.e_type);
	if (eh.e_machine != EM_X86_64)	/* checked already; libelf agrees */
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"ELF for machine %u, not x86-64",
				(unsigned)eh.e_machine);
	if (eh.e_phentsize != sizeof(Elf64_Phdr))
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"bad program header size %u",
				(unsigned)eh.e_phentsize);
	if (eh.e_phnum == 0 || eh.e_phnum > ELF_MAX_PHNUM)
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"bad number of program headers %u",
				(unsigned)eh.e_phnum);
	if (add_overflows(eh.e_phoff,
			  (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), &phend))
		phend = UINT64_MAX;
	if (phend > im->size)
		return elf_fail(err, errlen, ELF_ENOEXEC, im->path,
				"truncated ELF file (program headers end at "
				"%" PRIu64 ", the file has %" PRIu64
				" bytes)", phend, im->size);
	im->type = eh.e_type;
	im->entry = eh.e_entry;
	im->phoff = eh.e_phoff;
	im->phnum = eh.e_phnum;
	return elf_headers_image(im, im->phoff, im->phnum, err, errlen);
}

/* The name of the segments' regions in maps output: the real path, as
 * Linux shows it, or its basename when it doesn't fit mem_region.name. */
static const char *elf_region_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (strlen(path) < sizeof(((struct mem_region *)0)->name))
		return path;
	return slash ? slash + 1 : path;
}

int elf_load(struct proc *p, struct cpu *c, const char *path,
	     char *const argv[], char *const envp[], char *err, size_t errlen)
{
	struct elf_image im;
	char *real;
	size_t i;
	uint64_t brk = 0;
	int rc;

	if (err && errlen)
		err[0] = 0;
	memset(&im, 0, sizeof(im));
	im.path = path;
	im.fd = -1;

	rc = elf_open(&im, err, errlen);
	if (rc)
		goto out_close;
	rc = elf_check_ident(&im, err, errlen);
	if (rc)
		goto out_close;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		rc = elf_fail(err, errlen, ELF_EIO, path,
			      "libelf is out of date");
		goto out_close;
	}
	rc = elf_read_ehdr(&im, err, errlen);
	if (rc)
		goto out_end;
	rc = elf_read_phdrs(&im, err, errlen);
	if (rc)
		goto out_end;
	rc = elf_place(&im, err, errlen);
	if (rc)
		goto out_end;

	real = realpath(path, NULL);
	if (!real)
		real = strdup(path);
	if (!real) {
		rc = elf_fail(err, errlen, -ENOMEM, path, "out of memory");
		goto out_end;
	}
	free(p->exe_path);
	p->exe_path = real;

	for (i = 0; i < im.nsegs; i++) {
		const struct elf_seg *s = &im.segs[i];
		uint64_t end = s->vaddr + im.bias + s->memsz;

		rc = elf_map_segment(p, &im, s, elf_region_name(real), err,
				     errlen);
		if (rc)
			goto out_end;
		if (end > brk)
			brk = end;
	}
	brk = PAGE_UP(brk);
	mem_brk_init(p->mem, brk);
	p->brk_start = p->brk_cur = brk;

	p->entry = im.entry + im.bias;
	p->phdr = elf_phdr_addr(&im);
	p->phnum = im.phnum;
	p->load_bias = im.bias;

	memset(c->gpr, 0, sizeof(c->gpr));
	rc = elf_build_stack(p, c, &im, p->load_as ? p->load_as : path, argv,
			     envp, err, errlen);
	if (rc)
		goto out_end;
	c->rip = p->entry;

out_end:
	if (im.elf)
		elf_end(im.elf);
	free(im.hdrs);
out_close:
	free(im.segs);
	if (im.fd >= 0)
		close(im.fd);
	return rc;
}

/* An executable regular file, as execvp would accept it. */
static int elf_is_program(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0;
}

char *elf_find_program(const char *prog)
{
	const char *path, *dir, *end;
	size_t plen = strlen(prog);

	if (plen == 0)
		return NULL;
	if (strchr(prog, '/'))
		return strdup(prog);
	path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin";	/* glibc's execvp default */
	for (dir = path;; dir = end + 1) {
		size_t dlen;
		char *cand;

		end = strchrnul(dir, ':');
		dlen = (size_t)(end - dir);
		/* An empty entry means the current directory. */
		if (dlen == 0) {
			dir = ".";
			dlen = 1;
		}
		cand = malloc(dlen + 1 + plen + 1);
		if (!cand)
			return NULL;
		memcpy(cand, dir, dlen);
		cand[dlen] = '/';
		memcpy(cand + dlen + 1, prog, plen + 1);
		if (elf_is_program(cand))
			return cand;
		free(cand);
		if (!*end)
			break;
	}
	return NULL;
}
