/*
 * test_decode.c - the decoder against capstone, and its operand fields.
 *
 * Capstone is the oracle for instruction lengths: every instruction of a
 * real static binary's executable sections, and random byte streams.  Two
 * documented disagreements are excluded from the random test: capstone
 * follows AMD for 66-prefixed near call/jmp/jcc (a 16-bit displacement),
 * where our model follows Intel (the prefix is ignored in 64-bit mode); and
 * capstone decodes ud0/ud1 (0F FF, 0F B9) without their ModRM byte.  Both
 * only matter for instructions no compiler emits.
 */
#include <capstone/capstone.h>
#include <check.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/decode.h"

static int known_disagreement(const uint8_t *b, size_t n)
{
	size_t k = 0;
	int opsize = 0;
	while (k < n && (b[k] == 0x66 || b[k] == 0x67 || b[k] == 0xf2 ||
			 b[k] == 0xf3 || b[k] == 0xf0 || b[k] == 0x2e ||
			 b[k] == 0x3e || b[k] == 0x26 || b[k] == 0x36 ||
			 b[k] == 0x64 || b[k] == 0x65 || (b[k] & 0xf0) == 0x40)) {
		if (b[k] == 0x66)
			opsize = 1;
		k++;
	}
	if (k >= n)
		return 0;
	if (opsize && (b[k] == 0xe8 || b[k] == 0xe9))
		return 1;
	if (k + 1 < n && b[k] == 0x0f &&
	    ((opsize && (b[k + 1] & 0xf0) == 0x80) || b[k + 1] == 0xff ||
	     b[k + 1] == 0xb9))
		return 1;
	return 0;
}

START_TEST(test_busybox_text_lengths)
{
	const char *path = "/bin/busybox";
	int fd = open(path, O_RDONLY);
	ck_assert_msg(fd >= 0, "%s missing (make deps installs busybox-static)",
		      path);
	ck_assert(elf_version(EV_CURRENT) != EV_NONE);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	ck_assert_ptr_nonnull(e);
	size_t shstr;
	ck_assert_int_eq(elf_getshdrstrndx(e, &shstr), 0);
	csh h;
	ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &h), CS_ERR_OK);
	cs_insn *ci = cs_malloc(h);
	const struct optable *t = optable_get(CPU_LEVEL_V2);
	long total = 0, mismatches = 0;
	Elf_Scn *s = NULL;
	while ((s = elf_nextscn(e, s))) {
		GElf_Shdr sh;
		gelf_getshdr(s, &sh);
		if (!(sh.sh_flags & SHF_EXECINSTR) || sh.sh_type != SHT_PROGBITS)
			continue;
		Elf_Data *d = elf_getdata(s, NULL);
		const uint8_t *p = d->d_buf;
		size_t n = d->d_size, off = 0;
		while (off < n) {
			const uint8_t *cp = p + off;
			size_t cn = n - off;
			uint64_t ca = sh.sh_addr + off;
			struct insn in;
			int len = decode_insn(t, p + off, n - off,
					      sh.sh_addr + off, &in);
			if (!cs_disasm_iter(h, &cp, &cn, &ca, ci)) {
				/* data or padding capstone rejects */
				off += len > 0 ? (size_t)len : 1;
				continue;
			}
			total++;
			if (len != (int)ci->size && mismatches++ < 10)
				fprintf(stderr, "0x%lx %s %s: capstone %d, ours %d\n",
					(unsigned long)(sh.sh_addr + off),
					ci->mnemonic, ci->op_str, ci->size, len);
			off += ci->size;
		}
	}
	cs_free(ci, 1);
	cs_close(&h);
	elf_end(e);
	close(fd);
	ck_assert_int_gt(total, 100000);
	ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(test_random_streams)
{
	csh h;
	ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &h), CS_ERR_OK);
	cs_insn *ci = cs_malloc(h);
	const struct optable *t = optable_get(CPU_LEVEL_V2);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	long total = 0, mismatches = 0;
	uint8_t buf[24];
	for (int it = 0; it < 300000; it++) {
		for (size_t k = 0; k < sizeof(buf); k++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			buf[k] = (uint8_t)x;
		}
		const uint8_t *cp = buf;
		size_t cn = sizeof(buf);
		uint64_t ca = 0x401000;
		if (!cs_disasm_iter(h, &cp, &cn, &ca, ci))
			continue;
		if (known_disagreement(buf, sizeof(buf)))
			continue;
		struct insn in;
		int len = decode_insn(t, buf, sizeof(buf), 0x401000, &in);
		total++;
		if (len != (int)ci->size && mismatches++ < 10)
			fprintf(stderr, "%s %s: capstone %d, ours %d\n",
				ci->mnemonic, ci->op_str, ci->size, len);
	}
	cs_free(ci, 1);
	cs_close(&h);
	ck_assert_int_gt(total, 200000);
	ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(test_operand_fields)
{
	const struct optable *t = optable_get(CPU_LEVEL_V2);
	struct insn in;
	/* mov rax, [rip + 0x10] at 0x1000: 48 8b 05 10 00 00 00 */
	const uint8_t a[] = { 0x48, 0x8b, 0x05, 0x10, 0, 0, 0 };
	ck_assert_int_eq(decode_insn(t, a, sizeof(a), 0x1000, &in), 7);
	ck_assert_int_eq(in.base, REG_NONE);
	ck_assert_int_eq(in.index, REG_NONE);
	ck_assert_uint_eq((uint64_t)in.disp, 0x1000 + 7 + 0x10);
	ck_assert_int_eq(in.osize, 8);
	/* mov r9d, [r12 + r13*4 - 8]: 47 8b 4c ac f8 */
	const uint8_t b[] = { 0x47, 0x8b, 0x4c, 0xac, 0xf8 };
	ck_assert_int_eq(decode_insn(t, b, sizeof(b), 0, &in), 5);
	ck_assert_int_eq(in.reg, 9);
	ck_assert_int_eq(in.base, 12);
	ck_assert_int_eq(in.index, 13);
	ck_assert_int_eq(in.scale, 2);
	ck_assert_int_eq(in.disp, -8);
	ck_assert_int_eq(in.osize, 4);
	/* A REX followed by a legacy prefix is ignored: 48 66 90 is a
	 * 16-bit nop, not a 64-bit one. */
	const uint8_t c[] = { 0x48, 0x66, 0x8b, 0xc0 };
	ck_assert_int_eq(decode_insn(t, c, sizeof(c), 0, &in), 4);
	ck_assert_int_eq(in.rex, 0);
	ck_assert_int_eq(in.osize, 2);
	/* jne back: 75 fe at 0x2000 targets itself. */
	const uint8_t d[] = { 0x75, 0xfe };
	ck_assert_int_eq(decode_insn(t, d, sizeof(d), 0x2000, &in), 2);
	ck_assert_uint_eq(in.imm, 0x2000);
	ck_assert(in.flags & INSN_END_BLOCK);
	/* push imm8 sign-extends, defaults to 64-bit: 6a ff */
	const uint8_t e[] = { 0x6a, 0xff };
	ck_assert_int_eq(decode_insn(t, e, sizeof(e), 0, &in), 2);
	ck_assert_uint_eq(in.imm, ~0ULL);
	ck_assert_int_eq(in.osize, 8);
	/* movabs rax, imm64 */
	const uint8_t f[] = { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 };
	ck_assert_int_eq(decode_insn(t, f, sizeof(f), 0, &in), 10);
	ck_assert_uint_eq(in.imm, 0x0807060504030201ULL);
	/* Truncated input asks for more; 15+ bytes of prefixes is #GP. */
	ck_assert_int_eq(decode_insn(t, f, 5, 0, &in), DECODE_NEED_MORE);
	uint8_t g[16];
	memset(g, 0x66, sizeof(g));
	ck_assert_int_eq(decode_insn(t, g, sizeof(g), 0, &in), DECODE_TOO_LONG);
	/* sse mandatory prefix: f3 0f 10 c1 = movss xmm0, xmm1 */
	const uint8_t h[] = { 0x66, 0xf3, 0x0f, 0x10, 0xc1 };
	ck_assert_int_eq(decode_insn(t, h, sizeof(h), 0, &in), 5);
	ck_assert_int_eq(in.pfx, PFX_F3);
	ck_assert_int_eq(in.map, MAP_0F);
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("capstone");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_busybox_text_lengths);
	tcase_add_test(tc, test_random_streams);
	tcase_add_test(tc, test_operand_fields);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(decode_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
