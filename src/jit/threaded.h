/*
 * threaded.h - threaded code: a block of decoded guest instructions turned
 * into one host function that calls their handlers in order.
 *
 * Owns: an executable code buffer and the x86-64 it holds.  The code of a
 * block does for each instruction exactly what the interpreter's loop does
 * (c->cur = i; c->rip = i->next; i->fn(c, i)), through direct calls, each
 * from its own call site: the loop's one indirect call, which the host
 * predicts badly when it serves every instruction, is gone.  The handlers
 * are the interpreter's, so behaviour (state, faults, icount) cannot
 * differ; a fault leaves the code through cpu_raise's longjmp as it leaves
 * the loop.
 *
 * Does not own: the blocks (engine/interp.c decides what is hot and keeps
 * the code pointer with the block) or the struct insn array, which must
 * outlive the code.  When the buffer is full it starts over and bumps its
 * generation: code of an older generation must not run again, and the
 * caller must not be executing any code of this buffer when it asks for
 * more.
 *
 * This is the first tier of src/jit: translation of the instructions
 * themselves into host code is to come.
 */
#ifndef REWIND_JIT_THREADED_H
#define REWIND_JIT_THREADED_H

#include <stddef.h>
#include <stdint.h>
#include "engine/cpu.h"
#include "engine/insn.h"

typedef void (*threaded_fn)(struct cpu *c);

struct threaded_buf {
	uint8_t *buf;
	size_t used, size;
	uint32_t gen;		/* bumped each time the buffer starts over */
	int failed;		/* no executable memory: never code */
};

/* Code for insns[0..n) (n >= 1), or NULL when there is no executable
 * memory (then the caller interprets).  *gen gets the generation the code
 * belongs to: it is valid while tb->gen == *gen. */
threaded_fn threaded_emit(struct threaded_buf *tb, const struct insn *insns,
			  uint32_t n, uint32_t *gen);

void threaded_free(struct threaded_buf *tb);

#endif
