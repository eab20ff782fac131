/*
 * optable.c - the dispatch table (see insn.h).
 */
#include <signal.h>

#include "engine/fault.h"
#include "engine/insn.h"

void op_ud(struct cpu *c, const struct insn *i)
{
	(void)i;
	cpu_raise_ud(c);
}

const struct optable *optable_get(void)
{
	static struct optable table;
	static int ready;
	if (!ready) {
		insn_fn *all = &table.map1b[0];
		size_t count = sizeof(table) / sizeof(insn_fn);
		for (size_t k = 0; k < count; k++)
			all[k] = op_ud;
		exec_install_int(&table);
		exec_install_sse(&table);
		exec_install_x87(&table);
		ready = 1;
	}
	return &table;
}
