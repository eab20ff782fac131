/*
 * test_threaded.c - the threaded code of src/jit (threaded.h), run for
 * real: its calls reach the handlers in order with c->cur and c->rip as
 * the interpreter's loop sets them, a handler may leave by longjmp (as a
 * guest fault does) and the code runs again afterwards, and a full buffer
 * starts over under a new generation with code that still works.
 *
 * The interpreter runs the same code for every hot block; the corpus and
 * differential tests cover it there.
 */
#include <check.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "jit/threaded.h"

enum { N = 7, LOG = 64 };

static struct {
	const struct insn *insn[LOG];
	int cur_ok[LOG], rip_ok[LOG];
	int n;
	int leave_at;		/* index of the insn whose handler longjmps */
	jmp_buf out;
} trail;

static const struct insn *base;

static void note(struct cpu *c, const struct insn *i)
{
	if (trail.n < LOG) {
		trail.insn[trail.n] = i;
		trail.cur_ok[trail.n] = c->cur == i;
		trail.rip_ok[trail.n] = c->rip == i->next;
		trail.n++;
	}
}

static void h_note(struct cpu *c, const struct insn *i)
{
	note(c, i);
}

/* A second handler, so that the code calls more than one function. */
static void h_note_and_bump(struct cpu *c, const struct insn *i)
{
	note(c, i);
	c->gpr[0]++;
}

static void h_maybe_leave(struct cpu *c, const struct insn *i)
{
	note(c, i);
	if (i - base == trail.leave_at)
		longjmp(trail.out, 1);
}

static struct insn *make_insns(size_t n, insn_fn fn)
{
	struct insn *v = calloc(n, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (size_t k = 0; k < n; k++) {
		v[k].addr = 0x400000 + 16 * k;
		v[k].next = v[k].addr + 3 + k % 5;
		v[k].fn = fn;
	}
	return v;
}

static void check_trail(const struct insn *insns, int n)
{
	ck_assert_int_eq(trail.n, n);
	for (int k = 0; k < n; k++) {
		ck_assert_ptr_eq(trail.insn[k], &insns[k]);
		ck_assert(trail.cur_ok[k]);
		ck_assert(trail.rip_ok[k]);
	}
}

START_TEST(test_calls_in_order)
{
	struct threaded_buf tb = { 0 };
	struct cpu *c = calloc(1, sizeof(*c));
	struct insn *insns = make_insns(N, h_note);
	for (int k = 1; k < N; k += 2)
		insns[k].fn = h_note_and_bump;
	uint32_t gen;
	threaded_fn f = threaded_emit(&tb, insns, N, &gen);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(gen, tb.gen);
	memset(&trail, 0, sizeof(trail));
	f(c);
	check_trail(insns, N);
	ck_assert_uint_eq(c->gpr[0], N / 2);
	/* c->rip ends as the last instruction's next. */
	ck_assert_uint_eq(c->rip, insns[N - 1].next);
	/* One instruction is a block too. */
	threaded_fn g = threaded_emit(&tb, insns, 1, &gen);
	trail.n = 0;
	g(c);
	check_trail(insns, 1);
	threaded_free(&tb);
	free(insns);
	free(c);
}
END_TEST

START_TEST(test_leave_by_longjmp)
{
	struct threaded_buf tb = { 0 };
	struct cpu *c = calloc(1, sizeof(*c));
	struct insn *insns = make_insns(N, h_maybe_leave);
	base = insns;
	uint32_t gen;
	threaded_fn f = threaded_emit(&tb, insns, N, &gen);
	ck_assert_ptr_nonnull(f);
	for (int leave = 0; leave < N; leave++) {
		memset(&trail, 0, sizeof(trail));
		trail.leave_at = leave;
		if (setjmp(trail.out) == 0) {
			f(c);
			ck_abort_msg("the handler of insn %d did not leave", leave);
		}
		/* c->cur names the instruction that left, as for a fault */
		ck_assert_ptr_eq(c->cur, &insns[leave]);
		check_trail(insns, leave + 1);
	}
	/* and the code runs through afterwards */
	memset(&trail, 0, sizeof(trail));
	trail.leave_at = -1;
	f(c);
	check_trail(insns, N);
	threaded_free(&tb);
	free(insns);
	free(c);
}
END_TEST

START_TEST(test_full_buffer_starts_over)
{
	struct threaded_buf tb = { 0 };
	struct cpu *c = calloc(1, sizeof(*c));
	enum { BIG = 64 };
	struct insn *insns = make_insns(BIG, h_note_and_bump);
	uint32_t gen0, gen = 0;
	threaded_fn f = threaded_emit(&tb, insns, BIG, &gen0);
	ck_assert_ptr_nonnull(f);
	size_t count = 1;
	while (tb.gen == gen0) {
		f = threaded_emit(&tb, insns, BIG, &gen);
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_lt(++count, 1000000);
	}
	ck_assert_uint_eq(gen, gen0 + 1);
	/* The buffer started over: the new code is at its start. */
	ck_assert_ptr_eq((void *)f, (void *)tb.buf);
	memset(&trail, 0, sizeof(trail));
	c->gpr[0] = 0;
	f(c);
	ck_assert_uint_eq(c->gpr[0], BIG);
	ck_assert_int_eq(trail.n, BIG);
	threaded_free(&tb);
	free(insns);
	free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("threaded");
	TCase *tc = tcase_create("threaded");
	tcase_add_test(tc, test_calls_in_order);
	tcase_add_test(tc, test_leave_by_longjmp);
	tcase_add_test(tc, test_full_buffer_starts_over);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
