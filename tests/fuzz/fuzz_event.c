/*
 * fuzz_event.c - libFuzzer target for the event decoder (src/trace/event.c).
 *
 * The input is a sequence of records, each a 2-byte little-endian length
 * and that many bytes, decoded one after another with one context (as the
 * trace decodes a batch), so relative arguments and icount deltas chain.
 * Any bytes must give a clean error or an event; ASan/UBSan catch bad
 * reads, overflows and leaks, and we abort on contract violations the
 * sanitizers cannot see:
 *   - an error outside the decoder's codes, or a context changed by it;
 *   - event_decode and event_decode_skip disagreeing;
 *   - a decoded event that does not encode, or does not decode back to
 *     itself from the same context.
 *
 *   make fuzz-event FUZZ_SECONDS=600     (tests/fuzz/fuzz.mk)
 *
 * With FUZZ_EVENT_SEEDS=DIR in the environment the binary writes a seed
 * corpus of valid records (every kind, relative arguments, packed and raw
 * payloads, several regions) into DIR and exits.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_event: %s\n", what);
		abort();
	}
}

/* Appends ev, framed, to a seed buffer. */
static size_t seed_add(uint8_t *out, size_t n, const struct event *ev,
		       struct event_ctx *ctx)
{
	size_t len;
	check(event_encode(ev, ctx, out + n + 2, 65536, &len) == 0, "seed");
	out[n] = (uint8_t)len;
	out[n + 1] = (uint8_t)(len >> 8);
	return n + 2 + len;
}

static void seeds_write(const char *dir)
{
	static uint8_t buf[1 << 20], text[4000];
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)("seed text for zstd "[i % 19] + i % 3);
	struct event_mem ts = { 0x3fffffffd8a0, 16, text };
	struct event_mem rd[3] = { { 0x600000, 3000, text },
				   { 0x600000 + 3000, 7, text },
				   { 0x700000, 40, text + 100 } };
	struct event evs[] = {
		{ .icount = 1000, .kind = EV_SYSCALL, .nr = 228,
		  .args = { 1, 0x3fffffffd8a0 }, .nmem = 1, .mem = &ts },
		{ .icount = 2500, .kind = EV_SYSCALL, .nr = 228,
		  .args = { 1, 0x3fffffffd8a0 }, .nmem = 1, .mem = &ts },
		{ .icount = 2600, .kind = EV_SYSCALL, .nr = 0,
		  .args = { 3, 0x600000, 8192 }, .result = 3047, .nmem = 3,
		  .mem = rd },
		{ .icount = 2601, .kind = EV_SYSCALL, .nr = 1,
		  .args = { 1, 0x4a0000, 12 }, .result = 12 },
		{ .icount = 2700, .kind = EV_SYSCALL, .nr = 2,
		  .result = -2 },
		{ .icount = 2800, .kind = EV_RDTSC, .value = 123456789 },
		{ .icount = 2801, .kind = EV_RDRAND, .value = ~0ULL,
		  .result = 1 },
		{ .icount = 0, .kind = EV_RANDOM_BYTES, .nmem = 1, .mem = &ts },
		{ .icount = 2900, .kind = EV_SIGNAL, .nr = 11,
		  .args = { 11, 1, 0, 0xdead } },
		{ .icount = 3000, .kind = EV_MMAP_FILE,
		  .args = { 0x400000, 0x2000, 5, 2 }, .value = 4096,
		  .hash = { 1, 2, 3, 4, 5, 6, 7, 8 } },
		{ .icount = 4000, .kind = EV_EXIT, .result = 256 },
	};
	size_t nev = sizeof(evs) / sizeof(evs[0]);
	struct event_ctx ctx;
	char name[4096];
	/* Each event alone, then all of them in one input. */
	for (size_t i = 0; i <= nev; i++) {
		event_ctx_reset(&ctx);
		size_t n = 0;
		for (size_t j = i == nev ? 0 : i; j < (i == nev ? nev : i + 1);
		     j++)
			n = seed_add(buf, n, &evs[j], &ctx);
		snprintf(name, sizeof(name), "%s/seed-%02zu", dir, i);
		FILE *f = fopen(name, "wb");
		check(f && fwrite(buf, 1, n, f) == n && fclose(f) == 0,
		      "cannot write a seed");
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_EVENT_SEEDS");
	if (dir) {
		seeds_write(dir);
		exit(0);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event_ctx ctx;
	event_ctx_reset(&ctx);
	while (size >= 2) {
		size_t len = data[0] | (size_t)data[1] << 8;
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		const uint8_t *rec = data;
		data += len;
		size -= len;

		struct event_ctx before = ctx, skip = ctx;
		struct event ev;
		uint64_t icount;
		int err = event_decode(rec, len, &ctx, &ev);
		int serr = event_decode_skip(rec, len, &skip, &icount);
		if (err) {
			check(err == TRACE_EBADEVENT || err == TRACE_EEVVERSION ||
			      err == -ENOMEM,
			      "unexpected error code");
			check(!memcmp(&before, &ctx, sizeof(ctx)),
			      "failed decode changed the context");
			check(ev.mem == NULL && ev.nmem == 0,
			      "failed decode left an event");
			/* The skip decoder does not look inside zstd frames. */
			if (serr == 0)
				ctx = skip;
			continue;
		}
		check(serr == 0 && icount == ev.icount &&
		      !memcmp(&skip, &ctx, sizeof(ctx)),
		      "event_decode_skip disagrees");

		/* Encode again from the same starting context. */
		struct event_ctx enc = before, dec = before;
		size_t cap = event_encoded_bound(&ev), n;
		uint8_t *buf = malloc(cap);
		check(buf != NULL, "malloc");
		check(event_encode(&ev, &enc, buf, cap, &n) == 0,
		      "decoded event does not encode");
		check(!memcmp(&enc, &ctx, sizeof(ctx)),
		      "encoder context differs from decoder's");
		struct event again;
		check(event_decode(buf, n, &dec, &again) == 0,
		      "re-encoded event does not decode");
		check(event_equal(&ev, &again), "round trip changed the event");
		event_free(&again);
		free(buf);
		event_free(&ev);
	}
	return 0;
}
