/*
 * threaded.c - threaded code for blocks of decoded instructions (contract
 * in threaded.h).
 *
 * The function for a block, with rbx = c and r12 = insns (callee-saved,
 * so they survive the handlers):
 *
 *	push rbx; push r12; sub rsp, 8; mov rbx, rdi; mov r12, insns
 *	for each k:
 *		lea rsi, [r12 + k * sizeof(struct insn)]
 *		mov [rbx + cur], rsi
 *		mov rax, [rsi + next]; mov [rbx + rip], rax
 *		mov rdi, rbx
 *		call handler		(rel32, or mov rax, handler; call rax)
 *	add rsp, 8; pop r12; pop rbx; ret
 *
 * The stack stays 16-byte aligned at every call.  The handler called is
 * the one insns[k].fn holds at emission time: a generic handler still
 * picks its specialised one (and stores it in the insn) when it runs.
 */
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "jit/threaded.h"

#define BUF_SIZE (32u << 20)
#define HEAD_BYTES 20
#define INSN_BYTES 44	/* 37 with a rel32 call, 44 through rax */
#define TAIL_BYTES 8

/* An executable buffer within rel32 reach of our own code (the handlers)
 * if possible, anywhere otherwise. */
static int buf_init(struct threaded_buf *tb)
{
	int prot = PROT_READ | PROT_WRITE | PROT_EXEC;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	uintptr_t here = (uintptr_t)&buf_init & ~(uintptr_t)0xffff;
	void *p = MAP_FAILED;
	for (uintptr_t d = 64u << 20; p == MAP_FAILED && d < (1u << 30) &&
	     d <= here; d += 64u << 20)
		p = mmap((void *)(here - d), BUF_SIZE, prot,
			 flags | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		p = mmap(NULL, BUF_SIZE, prot, flags, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	tb->buf = p;
	tb->size = BUF_SIZE;
	return 0;
}

static uint8_t *put(uint8_t *p, const void *bytes, size_t n)
{
	memcpy(p, bytes, n);
	return p + n;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	return put(p, &v, 4);
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	return put(p, &v, 8);
}

threaded_fn threaded_emit(struct threaded_buf *tb, const struct insn *insns,
			  uint32_t n, uint32_t *gen)
{
	if (tb->failed || n == 0)
		return NULL;
	if (!tb->buf && buf_init(tb) < 0) {
		tb->failed = 1;
		return NULL;
	}
	size_t need = HEAD_BYTES + (size_t)INSN_BYTES * n + TAIL_BYTES;
	if (need > tb->size)
		return NULL;
	if (tb->used + need > tb->size) {
		tb->used = 0;
		tb->gen++;
	}
	uint8_t *start = tb->buf + tb->used, *p = start;
	static const uint8_t head[] = {
		0x53,				/* push rbx */
		0x41, 0x54,			/* push r12 */
		0x48, 0x83, 0xec, 0x08,		/* sub rsp, 8 */
		0x48, 0x89, 0xfb,		/* mov rbx, rdi */
		0x49, 0xbc,			/* mov r12, imm64 */
	};
	p = put(p, head, sizeof(head));
	p = put64(p, (uint64_t)(uintptr_t)insns);
	for (uint32_t k = 0; k < n; k++) {
		static const uint8_t lea_rsi[] = { 0x49, 0x8d, 0xb4, 0x24 };
		static const uint8_t store_cur[] = { 0x48, 0x89, 0xb3 };
		static const uint8_t load_next[] = { 0x48, 0x8b, 0x86 };
		static const uint8_t store_rip[] = { 0x48, 0x89, 0x83 };
		static const uint8_t mov_rdi_rbx[] = { 0x48, 0x89, 0xdf };
		p = put(p, lea_rsi, sizeof(lea_rsi));
		p = put32(p, (uint32_t)(k * sizeof(struct insn)));
		p = put(p, store_cur, sizeof(store_cur));
		p = put32(p, (uint32_t)offsetof(struct cpu, cur));
		p = put(p, load_next, sizeof(load_next));
		p = put32(p, (uint32_t)offsetof(struct insn, next));
		p = put(p, store_rip, sizeof(store_rip));
		p = put32(p, (uint32_t)offsetof(struct cpu, rip));
		p = put(p, mov_rdi_rbx, sizeof(mov_rdi_rbx));
		uintptr_t fn = (uintptr_t)insns[k].fn;
		intptr_t rel = (intptr_t)fn - (intptr_t)(uintptr_t)(p + 5);
		if (rel == (intptr_t)(int32_t)rel) {
			*p++ = 0xe8;				/* call rel32 */
			p = put32(p, (uint32_t)(int32_t)rel);
		} else {
			static const uint8_t mov_rax[] = { 0x48, 0xb8 };
			static const uint8_t call_rax[] = { 0xff, 0xd0 };
			p = put(p, mov_rax, sizeof(mov_rax));
			p = put64(p, (uint64_t)fn);
			p = put(p, call_rax, sizeof(call_rax));
		}
	}
	static const uint8_t tail[] = {
		0x48, 0x83, 0xc4, 0x08,		/* add rsp, 8 */
		0x41, 0x5c,			/* pop r12 */
		0x5b,				/* pop rbx */
		0xc3,				/* ret */
	};
	p = put(p, tail, sizeof(tail));
	tb->used += (size_t)(p - start);
	*gen = tb->gen;
	return (threaded_fn)(void *)start;
}

void threaded_free(struct threaded_buf *tb)
{
	if (tb->buf)
		munmap(tb->buf, tb->size);
	memset(tb, 0, sizeof(*tb));
}
