/*
 * event.h - one journaled input of the guest, and its compact encoding.
 *
 * Owns: struct event and its byte encoding (pure: no files, no globals).
 * Does not own: where encoded events are stored (trace.h), nor what the
 * recorder puts in them (src/os, src/replay).
 *
 * Encoding (version 1), all integers LEB128, "zz" = zigzag-signed:
 *
 *   u8    (EVENT_ENC_VERSION << 4) | kind
 *   u8    flags: EVF_NR EVF_ARGS EVF_RESULT EVF_VALUE EVF_MEM EVF_HASH
 *                EVF_PACKED EVF_ARGS_REL
 *   zz    icount - ctx.icount             (the previous event's icount)
 *   [nr]                                  absent: 0
 *   [u8 argmask, then one varint per set bit]
 *                                         EVF_ARGS_REL: zz deltas against
 *                                         the last event with the same nr
 *                                         (ctx cache), absent bits delta 0;
 *                                         else literal values, absent 0
 *   [zz result] [value] [32-byte hash]    absent: 0
 *   [nmem, then per region a tag byte:
 *        bits 0-2  address: 0 varint follows, 1..6 = args[n-1],
 *                  7 = previous region's end
 *        bits 3-7  length:  0 varint follows, 1 = result, n>=2: n-2]
 *   payload: the regions' bytes back to back, or with EVF_PACKED
 *            varint csize + a zstd frame of them
 *
 * The encoding is contextual: struct event_ctx carries the previous icount
 * and a small cache of recent syscall arguments, so both sides must encode
 * and decode the same events in the same order from a reset context (the
 * trace resets it at the start of every committed batch).
 */
#ifndef REWIND_TRACE_EVENT_H
#define REWIND_TRACE_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "trace/error.h"

enum event_kind {
	EV_SYSCALL = 1,	/* nr, args, result, mem = what the kernel wrote */
	EV_RDTSC,	/* value = tsc (rdtscp: nr = 1, result = TSC_AUX) */
	EV_RDRAND,	/* value; nr = 0 rdrand / 1 rdseed; result = CF */
	EV_RANDOM_BYTES,/* the 16 AT_RANDOM bytes: one mem region */
	EV_SIGNAL,	/* nr = signal number, args = siginfo words, ... */
	EV_EXIT,	/* result = exit status (wait(2) encoding) */
	EV_MMAP_FILE,	/* hash = blob of the mapped bytes; args[0] = addr,
			   args[1] = length, args[2] = prot, args[3] = flags,
			   value = file offset */
	EV_KIND_MAX = EV_MMAP_FILE,
};

#define EVENT_ENC_VERSION	1
#define EVENT_NARGS		6
#define EVENT_MAX_MEM		65536		/* regions per event */
#define EVENT_MAX_PAYLOAD	(1ULL << 30)	/* bytes per event */
#define EVENT_PACK_MIN		128		/* try zstd at this size */

struct event_mem {
	uint64_t addr;
	uint64_t len;
	uint8_t *data;
};

struct event {
	uint64_t icount;
	uint8_t kind;		/* enum event_kind */
	uint64_t nr;
	uint64_t args[EVENT_NARGS];
	int64_t result;
	uint64_t value;
	uint32_t nmem;
	struct event_mem *mem;
	uint8_t hash[32];
};

#define EVENT_CTX_SLOTS 32

/* Encoder/decoder state carried from one event to the next. */
struct event_ctx {
	uint64_t icount;
	struct {
		uint64_t valid;	/* 64 bits: no padding in the struct */
		uint64_t nr;
		uint64_t args[EVENT_NARGS];
	} slot[EVENT_CTX_SLOTS];
};

/* ---- context */
void event_ctx_reset(struct event_ctx *ctx);

/* ---- encoding */

/* Upper bound of the encoded size of ev (with or without compression). */
size_t event_encoded_bound(const struct event *ev);

/* Encodes ev into out[0..cap), sets *len, and advances ctx.  Returns 0,
 * TRACE_EINVAL (bad kind, a region wrapping past 2^64, NULL data),
 * TRACE_ETOOBIG (limits above), or -ENOSPC when cap is too small (use
 * event_encoded_bound).  ctx is unchanged on failure. */
int event_encode(const struct event *ev, struct event_ctx *ctx,
		 uint8_t *out, size_t cap, size_t *len);

/* ---- decoding */

/* Decodes buf[0..len), which may be hostile, into *ev and advances ctx.  On
 * success ev->mem is one malloc'd block holding the region array and all
 * the data (release with event_free).  Returns 0, TRACE_EBADEVENT,
 * TRACE_EEVVERSION or -ENOMEM; on failure ev is zeroed and ctx unchanged. */
int event_decode(const uint8_t *buf, size_t len, struct event_ctx *ctx,
		 struct event *ev);

/* Like event_decode but only the icount and the context are computed: the
 * payload is checked for length, not decompressed.  For walking a batch. */
int event_decode_skip(const uint8_t *buf, size_t len, struct event_ctx *ctx,
		      uint64_t *icount);

/* Frees what event_decode allocated and zeroes ev->mem / ev->nmem. */
void event_free(struct event *ev);

/* 1 when a and b hold the same fields and region bytes, else 0. */
int event_equal(const struct event *a, const struct event *b);

#endif
