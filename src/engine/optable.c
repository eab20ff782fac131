/*
 * optable.c - the dispatch tables, one per CPU model level (see insn.h).
 */
#include <signal.h>

#include "engine/fault.h"
#include "engine/insn.h"

void op_ud(struct cpu *c, const struct insn *i)
{
	(void)i;
	cpu_raise_ud(c);
}

const struct optable *optable_get(int level)
{
	static struct optable table[2];
	static int ready[2];
	if (level < CPU_LEVEL_V1 || level > CPU_LEVEL_V2)
		return NULL;
	struct optable *t = &table[level - 1];
	if (!ready[level - 1]) {
		insn_fn *all = &t->map1b[0];
		size_t count = sizeof(*t) / sizeof(insn_fn);
		for (size_t k = 0; k < count; k++)
			all[k] = op_ud;
		exec_install_int(t);
		exec_install_sse(t);
		exec_install_x87(t);
		if (level >= CPU_LEVEL_V2) {
			exec_install_sse3(t);
			exec_install_sse4(t);
		}
		ready[level - 1] = 1;
	}
	return t;
}
