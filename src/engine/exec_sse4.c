/*
 * exec_sse4.c - placeholder installer, filled in by the v2 ISA work.
 */
#include "engine/insn.h"

void exec_install_sse4(struct optable *t)
{
	(void)t;
}
