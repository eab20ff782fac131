/*
 * decode.h - the x86-64 instruction decoder.
 *
 * Turns instruction bytes into struct insn (insn.h), choosing the handler
 * from the dispatch table.  Decodes the full legacy, REX, VEX and EVEX
 * encoding space for lengths (the capstone agreement test relies on that);
 * what the guest CPU model lacks gets op_ud.  Pure: reads only the bytes
 * it is given.
 */
#ifndef REWIND_ENGINE_DECODE_H
#define REWIND_ENGINE_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include "engine/insn.h"

#define DECODE_NEED_MORE (-1)	/* ran past avail bytes */
#define DECODE_TOO_LONG  (-2)	/* more than 15 bytes: #GP */

/*
 * Decode one instruction at guest address addr from bytes[0..avail).
 * Returns its length (1-15) and fills *out, or a DECODE_* error.
 */
int decode_insn(const struct optable *t, const uint8_t *bytes, size_t avail,
		uint64_t addr, struct insn *out);

#endif
