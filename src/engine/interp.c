/*
 * interp.c - the interpreter engine: block cache and run loop.
 *
 * Guest code is decoded once into blocks of struct insn (a block ends at a
 * control transfer, at MAX_BLOCK instructions, or after the instruction
 * that crosses its first page).  Blocks are found through a direct-mapped
 * jump cache in front of a hash table.  The pages a block was decoded from
 * are watched (mem_watch_code); when one is written or unmapped, every
 * block touching it is dropped.  Dropped blocks are freed only between
 * blocks, since the block being executed may be the one dropped.
 *
 * Instruction counting (icount): every instruction that completes counts
 * one.  A rep-prefixed string instruction counts one per iteration (one if
 * rcx is zero).  An instruction that faults does not count; int3 (a trap)
 * does.  A syscall instruction counts one.  Signal delivery and
 * rt_sigreturn's frame restore add nothing beyond their instructions.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine/debug.h"
#include "engine/decode.h"
#include "engine/engine.h"
#include "engine/fault.h"
#include "engine/fpu.h"
#include "engine/insn.h"
#include "engine/operand.h"
#include "jit/threaded.h"
#include "mem/mem.h"
#include "os/proc.h"
#include "os/sys.h"

#define MAX_BLOCK 64
#define JC_SIZE 4096
/* Blocks entered this often get threaded code (jit/threaded.h). */
#define THREAD_AFTER 16

struct block {
	uint64_t addr, end;		/* guest bytes [addr, end) */
	struct block *hnext;		/* hash chain / dead list */
	/* Blocks that followed this one before (block chaining): checked by
	 * address, so a stale guess only costs a lookup.  Cleared by
	 * interp_drop when the block they point to is dropped. */
	struct block *succ[2];
	uint32_t n;
	uint32_t nsucc;			/* slot to replace next */
	uint32_t runs;			/* times interpreted since the last
					   try at threading it */
	uint32_t has_break;		/* an insn has INSN_BREAK */
	uint32_t code_gen;		/* code is valid while this is the
					   code buffer's generation */
	threaded_fn code;		/* threaded code, or NULL */
	struct insn insns[];
};

struct interp {
	struct block **hash;
	size_t hcap, count;
	struct block *jc[JC_SIZE];
	struct block *dead;		/* dropped, freed between blocks */
	struct block *running;		/* the block being executed */
	/* Scratch block for running only the first instructions of a block
	 * (icount limit): decoded afresh, so that the dead-flag analysis
	 * ends where the run does. */
	struct block *partial;
	const struct optable *ops;
	struct mem *mem;
	struct threaded_buf tb;
};

static size_t hash_rip(uint64_t rip, size_t cap)
{
	return (size_t)((rip * 0x9E3779B97F4A7C15ULL) >> 24) & (cap - 1);
}

static size_t jc_index(uint64_t rip)
{
	return (size_t)(rip ^ (rip >> 12)) & (JC_SIZE - 1);
}

static int hash_grow(struct interp *ip)
{
	size_t cap = ip->hcap ? ip->hcap * 2 : 4096;
	struct block **h = calloc(cap, sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (size_t k = 0; k < ip->hcap; k++) {
		struct block *b = ip->hash[k], *next;
		for (; b; b = next) {
			next = b->hnext;
			size_t s = hash_rip(b->addr, cap);
			b->hnext = h[s];
			h[s] = b;
		}
	}
	free(ip->hash);
	ip->hash = h;
	ip->hcap = cap;
	return 0;
}

static int overlaps(const struct block *b, uint64_t lo, uint64_t hi)
{
	return b && b->addr < hi && lo < b->end;
}

/* Drop every block that overlaps [lo, hi), and every chaining link to
 * one. */
static void interp_drop(struct interp *ip, uint64_t lo, uint64_t hi)
{
	for (size_t k = 0; k < ip->hcap; k++) {
		struct block **pp = &ip->hash[k];
		while (*pp) {
			struct block *b = *pp;
			for (int s = 0; s < 2; s++)
				if (overlaps(b->succ[s], lo, hi))
					b->succ[s] = NULL;
			if (overlaps(b, lo, hi)) {
				*pp = b->hnext;
				ip->count--;
				struct block **jc = &ip->jc[jc_index(b->addr)];
				if (*jc == b)
					*jc = NULL;
				b->hnext = ip->dead;
				ip->dead = b;
			} else {
				pp = &b->hnext;
			}
		}
	}
}

static void code_written(void *ctx, uint64_t page)
{
	interp_drop(ctx, page, page + GUEST_PAGE_SIZE);
}

static void free_dead(struct interp *ip)
{
	while (ip->dead) {
		struct block *b = ip->dead;
		ip->dead = b->hnext;
		free(b);
	}
}

static struct interp *interp_get(struct cpu *c)
{
	struct interp *ip = c->engine_data;
	if (ip)
		return ip;
	ip = calloc(1, sizeof(*ip));
	if (!ip)
		return NULL;
	ip->ops = optable_get(c->level ? c->level : CPU_LEVEL_V1);
	ip->partial = calloc(1, sizeof(struct block) +
			     MAX_BLOCK * sizeof(struct insn));
	if (!ip->partial) {
		free(ip);
		return NULL;
	}
	ip->mem = c->mem;
	mem_set_code_callback(c->mem, code_written, ip);
	c->engine_data = ip;
	return ip;
}

/* Bytes of executable guest memory readable from addr (at most 2 pages). */
static size_t fetchable(struct mem *m, uint64_t addr, uint64_t *stop)
{
	uint64_t a = addr, end = (addr & GUEST_PAGE_MASK) + 2 * GUEST_PAGE_SIZE;
	while (a < end) {
		const struct mem_region *r = mem_find(m, a);
		if (!r || !(r->prot & PROT_EXEC))
			break;
		a = r->end < end ? r->end : end;
	}
	*stop = a;
	return (size_t)(a - addr);
}

/* Dead-flag analysis: mark the instructions whose arithmetic flags no
 * later instruction of the block reads before overwriting them
 * (INSN_NOFLAGS), so that their handlers may skip computing flags.  All
 * flags are live at the end of the block (and before anything that may
 * fault, see exec_flag_use), so rflags is exact wherever the guest or the
 * run loop can see it: between blocks, at a fault, at a syscall. */
static void mark_dead_flags(struct insn *buf, uint32_t n)
{
	uint32_t live = FL_ARITH;
	for (uint32_t k = n; k-- > 0;) {
		struct flag_use u;
		exec_flag_use(&buf[k], &u);
		if (u.nf && !(u.nf & live))
			buf[k].flags |= INSN_NOFLAGS;
		live = (live & ~(uint32_t)u.def) | u.use;
	}
}

/* Decode at most max instructions of the block at c->rip into buf and
 * return how many; *end gets the address after the last one.  Raises the
 * guest fault if not even the first instruction can be fetched. */
static uint32_t decode_block(struct cpu *c, struct interp *ip, uint32_t max,
			     struct insn *buf, uint64_t *end)
{
	uint64_t rip = c->rip;
	if (rip >= GUEST_LIMIT)
		cpu_raise_bad_address(c, rip, 0);
	uint64_t stop;
	size_t avail = fetchable(ip->mem, rip, &stop);
	const uint8_t *bytes = c->mem_base + rip;
	uint32_t n = 0;
	uint64_t pc = rip, page_end = (rip & GUEST_PAGE_MASK) + GUEST_PAGE_SIZE;
	while (n < max) {
		int len = decode_insn(ip->ops, bytes + (pc - rip), avail - (pc - rip),
				      pc, &buf[n]);
		if (len == DECODE_NEED_MORE) {
			if (n)
				break;
			/* The instruction runs into a page we may not
			 * execute: fault there, as the fetch would. */
			const struct mem_region *r = mem_find(ip->mem, stop);
			cpu_raise(c, SIGSEGV, r ? SEGV_ACCERR : SEGV_MAPERR,
				  stop, TRAP_PF, 4 | 16 | (r ? 1 : 0));
		}
		if (len == DECODE_TOO_LONG) {
			if (n)
				break;
			cpu_raise_gp(c);
		}
		pc += (uint64_t)len;
		n++;
		if ((buf[n - 1].flags & INSN_END_BLOCK) || pc >= page_end)
			break;
	}
	mark_dead_flags(buf, n);
	if (unlikely(c->breaks && c->breaks->nbp))
		for (uint32_t k = 0; k < n; k++)
			if (debug_is_break(c->breaks, buf[k].addr))
				buf[k].flags |= INSN_BREAK;
	*end = pc;
	return n;
}

static uint32_t any_break(const struct insn *v, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++)
		if (v[k].flags & INSN_BREAK)
			return 1;
	return 0;
}

/* Decode the block at c->rip and enter it in the cache. */
static struct block *translate(struct cpu *c, struct interp *ip)
{
	uint64_t rip = c->rip, pc;
	struct insn buf[MAX_BLOCK];
	uint32_t n = decode_block(c, ip, MAX_BLOCK, buf, &pc);
	struct block *b = malloc(sizeof(*b) + n * sizeof(struct insn));
	if (!b) {
		/* Out of host memory: nothing sensible to do for the guest. */
		abort();
	}
	b->addr = rip;
	b->end = pc;
	b->n = n;
	b->succ[0] = b->succ[1] = NULL;
	b->nsucc = 0;
	b->runs = 0;
	b->code = NULL;
	b->has_break = any_break(buf, n);
	memcpy(b->insns, buf, n * sizeof(struct insn));
	for (uint64_t pg = rip & GUEST_PAGE_MASK; pg < pc; pg += GUEST_PAGE_SIZE)
		mem_watch_code(ip->mem, pg);
	if ((ip->count + 1) * 2 > ip->hcap && hash_grow(ip))
		abort();
	size_t s = hash_rip(rip, ip->hcap);
	b->hnext = ip->hash[s];
	ip->hash[s] = b;
	ip->count++;
	return b;
}

static inline struct block *lookup(struct cpu *c, struct interp *ip)
{
	uint64_t rip = c->rip;
	struct block **jc = &ip->jc[jc_index(rip)];
	struct block *b = *jc;
	if (likely(b && b->addr == rip))
		return b;
	if (ip->hcap) {
		for (b = ip->hash[hash_rip(rip, ip->hcap)]; b; b = b->hnext)
			if (b->addr == rip) {
				*jc = b;
				return b;
			}
	}
	b = translate(c, ip);
	*jc = b;
	return b;
}

/* After a longjmp from a fault: put rip/icount where the fault says and
 * return 1 if the instruction should simply be restarted. */
static int fault_settle(struct cpu *c, struct interp *ip)
{
	const struct insn *cur = c->cur;
	struct block *b = ip->running;
	c->cur = NULL;
	ip->running = NULL;
	if (cur && b) {
		c->icount += (uint64_t)(cur - b->insns);
		c->rip = cur->addr;
		if (c->fault.trapno == TRAP_BP || c->fault.trapno == TRAP_DB) {
			/* int3 and icebp are traps: they completed. */
			c->rip = cur->next;
			c->icount++;
		}
	}
	return c->fault.sig == 0;
}

/* Leave the run loop between instructions. */
static inline enum engine_stop leave(struct cpu *c, struct interp *ip,
				     enum engine_stop why)
{
	c->cur = NULL;
	ip->running = NULL;
	c->in_guest = 0;
	return why;
}

/* Why a run that reached its icount limit stopped: a watchpoint hit
 * lowers the limit (debug.h). */
static inline enum engine_stop limit_reason(const struct cpu *c)
{
	return c->dbg && c->dbg->have_hit ? ENGINE_STOP_DEBUG :
	       ENGINE_STOP_ICOUNT;
}

/* Execute blocks until something stops the run.  Faults leave through
 * cpu_raise() to the landing pad in interp_run().
 *
 * Between blocks c->cur and ip->running keep naming the last instruction
 * run (its icount already added); they are cleared before anything that
 * can fault or look at them (a block lookup that misses, signal delivery,
 * leaving the loop).  Always inlined into the two run loops below: the
 * plain one, and the one that checks the debugger's stop conditions per
 * instruction (breakpoints, a limit lowered by a watchpoint). */
static inline __attribute__((always_inline))
enum engine_stop run_blocks_body(struct cpu *c, struct interp *ip,
				 const int debug)
{
	struct block *prev = NULL;
	c->in_guest = 1;
	for (;;) {
		if (unlikely(c->attention)) {
			c->cur = NULL;
			ip->running = NULL;
			c->attention = 0;
			if (c->proc) {
				c->in_guest = 0;
				if (debug && !c->proc->exited) {
					int sig = signal_next_pending(c->proc);
					if (sig && debug_signal_hit(c, sig)) {
						/* Deliver it when resumed. */
						c->attention = 1;
						return ENGINE_STOP_DEBUG;
					}
				}
				int delivered = 0;
				if (!c->proc->exited)
					delivered = signal_deliver_pending(c->proc,
									   c);
				if (c->proc->exited)
					return ENGINE_STOP_EXIT;
				if (debug && delivered &&
				    debug_signal_delivered(c))
					return ENGINE_STOP_DEBUG;
				c->in_guest = 1;
			}
		}
		if (unlikely(ip->dead)) {
			free_dead(ip);
			prev = NULL;
		}
		uint64_t limit = c->icount_limit;
		if (unlikely(c->icount >= limit))
			return leave(c, ip, limit_reason(c));
		uint64_t rip = c->rip;
		struct block *b;
		if (prev && prev->succ[0] && prev->succ[0]->addr == rip) {
			b = prev->succ[0];
		} else if (prev && prev->succ[1] && prev->succ[1]->addr == rip) {
			b = prev->succ[1];
		} else {
			c->cur = NULL;
			ip->running = NULL;
			b = lookup(c, ip);
			if (prev)
				prev->succ[prev->nsucc++ & 1] = b;
		}
		uint32_t n = b->n;
		if (unlikely(limit - c->icount < n)) {
			c->cur = NULL;
			ip->running = NULL;
			b = ip->partial;
			n = decode_block(c, ip, (uint32_t)(limit - c->icount),
					 b->insns, &b->end);
			b->addr = rip;
			b->n = n;
			b->has_break = any_break(b->insns, n);
		}
		ip->running = b;
		const struct insn *ins = b->insns, *end = ins + n;
		/* The debugger's checks cost nothing in a block without a
		 * breakpoint while nothing is watched (only a watchpoint
		 * ends a run inside a block). */
		if (!debug || (!b->has_break && !c->watch_hi)) {
			if (b->code && b->code_gen == ip->tb.gen) {
				b->code(c);
			} else {
				/* (again when its code went stale) */
				if (b != ip->partial && ++b->runs >= THREAD_AFTER) {
					b->runs = 0;
					b->code = threaded_emit(&ip->tb, b->insns,
								b->n,
								&b->code_gen);
				}
				do {
					c->cur = ins;
					c->rip = ins->next;
					ins->fn(c, ins);
				} while (++ins < end);
			}
		} else {
			do {
				uint64_t k = (uint64_t)(ins - b->insns);
				if (unlikely(ins->flags & INSN_BREAK) &&
				    debug_break_hit(c, ins->addr, c->icount + k)) {
					c->icount += k;
					c->rip = ins->addr;
					return leave(c, ip, ENGINE_STOP_DEBUG);
				}
				c->cur = ins;
				c->rip = ins->next;
				ins->fn(c, ins);
				if (unlikely(c->icount + k + 1 >= c->icount_limit) &&
				    ins + 1 < end) {
					c->icount += k + 1;
					return leave(c, ip, limit_reason(c));
				}
			} while (++ins < end);
		}
		c->icount += n;
		prev = b != ip->partial ? b : NULL;
	}
}

static __attribute__((noinline))
enum engine_stop run_blocks(struct cpu *c, struct interp *ip)
{
	return run_blocks_body(c, ip, 0);
}

static __attribute__((noinline))
enum engine_stop run_blocks_debug(struct cpu *c, struct interp *ip)
{
	return run_blocks_body(c, ip, 1);
}

static enum engine_stop interp_run(struct cpu *c, uint64_t limit)
{
	if (!interp_get(c))
		abort();
	mem_set_current(c->mem, c);
	c->cur = NULL;
	c->icount_limit = limit;
	if (c->dbg)
		c->dbg->have_hit = 0;
	if (sigsetjmp(c->fault_jmp, 0)) {
		c->in_guest = 0;
		/* Hits of an instruction that did not complete (a fault, or
		 * a restart after a code or dirty-page write) do not count. */
		if (c->dbg)
			debug_fault(c);
		if (!fault_settle(c, c->engine_data)) {
			if (!c->proc)
				return ENGINE_STOP_FAULT;
			c->fault_pending = 1;
		}
	}
	/* A fault's signal is delivered here, or stays pending while the
	 * debugger looks at it: re-executing the instruction would not
	 * raise it again after a trap (int3), which has completed. */
	if (c->fault_pending) {
		if (c->dbg && debug_signal_hit(c, c->fault.sig))
			return ENGINE_STOP_DEBUG;
		c->fault_pending = 0;
		signal_deliver_fault(c->proc, c);
		if (c->proc->exited)
			return ENGINE_STOP_EXIT;
		if (c->dbg && debug_signal_delivered(c))
			return ENGINE_STOP_DEBUG;
	}
	if (c->dbg)
		return run_blocks_debug(c, c->engine_data);
	return run_blocks(c, c->engine_data);
}

uint64_t engine_icount(const struct cpu *c)
{
	const struct interp *ip = c->engine_data;
	if (ip && ip->running && c->cur)
		return c->icount + (uint64_t)(c->cur - ip->running->insns);
	return c->icount;
}

static void interp_invalidate(struct cpu *c, uint64_t addr, uint64_t len)
{
	struct interp *ip = c->engine_data;
	if (ip)
		interp_drop(ip, addr, addr + len);
}

static void interp_release(struct cpu *c)
{
	struct interp *ip = c->engine_data;
	if (!ip)
		return;
	interp_drop(ip, 0, ~0ULL);
	free_dead(ip);
	free(ip->hash);
	free(ip->partial);
	threaded_free(&ip->tb);
	if (c->mem)
		mem_set_code_callback(c->mem, NULL, NULL);
	free(ip);
	c->engine_data = NULL;
}

const struct engine_ops interp_engine = {
	.name = "interp",
	.run = interp_run,
	.invalidate = interp_invalidate,
	.release = interp_release,
};

const struct engine_ops *engine_find(const char *name)
{
	if (!name || strcmp(name, "interp") == 0)
		return &interp_engine;
	return NULL;
}

void cpu_reset(struct cpu *c)
{
	uint8_t *base = c->mem_base;
	struct mem *m = c->mem;
	struct proc *p = c->proc;
	void *ed = c->engine_data;
	int tid = c->tid;
	uint8_t level = c->level;
	memset(c, 0, offsetof(struct cpu, fault_jmp));
	c->mem_base = base;
	c->mem = m;
	c->proc = p;
	c->engine_data = ed;
	c->tid = tid;
	c->level = level ? level : CPU_LEVEL_V1;
	c->icount_limit = UINT64_MAX;
	c->rflags = FL_FIXED;
	c->seg[SEG_CS] = 0x33;	/* Linux's user code and stack selectors */
	c->seg[SEG_SS] = 0x2b;
	c->mxcsr = 0x1f80;
	fpu_init(c);
}
