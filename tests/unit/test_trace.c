/*
 * test_trace.c - the journal library: SHA-256 vectors, event encoding
 * round trips and hostile decoding, the trace file (meta, blobs, batched
 * events, a recorder killed with SIGKILL, version refusal) and damaged
 * files (flipped bytes, truncation, swapped records, forged batches).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "trace/event.h"
#include "trace/hash.h"
#include "trace/trace.h"

static char tmpdir[64];
static char path[128];

static void setup(void)
{
	strcpy(tmpdir, "/tmp/rewind-test-trace-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/t.rwd", tmpdir);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---------------------------------------------------------------- sha256 */

static void hex(const uint8_t *h, char *out)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

START_TEST(test_sha256_vectors)
{
	uint8_t h[32];
	char s[65];
	sha256("", 0, h);
	hex(h, s);
	ck_assert_str_eq(s, "e3b0c44298fc1c149afbf4c8996fb924"
			    "27ae41e4649b934ca495991b7852b855");
	sha256("abc", 3, h);
	hex(h, s);
	ck_assert_str_eq(s, "ba7816bf8f01cfea414140de5dae2223"
			    "b00361a396177a9cb410ff61f20015ad");
	const char *m448 =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256(m448, strlen(m448), h);
	hex(h, s);
	ck_assert_str_eq(s, "248d6a61d20638b8e5c026930c3e6039"
			    "a33ce45964ff2167f6ecedd419db06c1");
	/* One million 'a', fed in uneven pieces through the incremental
	 * interface. */
	struct sha256 c;
	char a[1024];
	memset(a, 'a', sizeof(a));
	sha256_init(&c);
	size_t left = 1000000, step = 1;
	while (left) {
		size_t n = step < left ? step : left;
		sha256_update(&c, a, n);
		left -= n;
		step = step % 1000 + 7;
	}
	sha256_final(&c, h);
	hex(h, s);
	ck_assert_str_eq(s, "cdc76e5c9914fb9281a1c7e284d73e67"
			    "f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* ---------------------------------------------------------------- events */

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Encode ev with enc, decode it with dec, compare; returns encoded size. */
static size_t round_trip(const struct event *ev, struct event_ctx *enc,
			 struct event_ctx *dec)
{
	size_t cap = event_encoded_bound(ev), len = 0;
	uint8_t *buf = malloc(cap);
	ck_assert_int_eq(event_encode(ev, enc, buf, cap, &len), 0);
	ck_assert_uint_le(len, cap);
	struct event out;
	int err = event_decode(buf, len, dec, &out);
	ck_assert_msg(err == 0, "decode: %s", trace_strerror(err));
	ck_assert(event_equal(ev, &out));
	event_free(&out);
	free(buf);
	return len;
}

START_TEST(test_event_kinds)
{
	struct event_ctx enc, dec;
	event_ctx_reset(&enc);
	event_ctx_reset(&dec);
	uint8_t ts[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };
	struct event_mem m = { 0x3fffffffd000, 16, ts };
	struct event ev = {
		.icount = 123456, .kind = EV_SYSCALL, .nr = 228,
		.args = { 1, 0x3fffffffd000 }, .result = 0, .nmem = 1, .mem = &m,
	};
	round_trip(&ev, &enc, &dec);
	/* Same call again: relative arguments. */
	ev.icount += 5000;
	size_t small = round_trip(&ev, &enc, &dec);
	ck_assert_uint_le(small, 24);
	/* Negative result, icount going backwards (allowed, zigzag). */
	ev.icount -= 100000;
	ev.result = -EINTR;
	ev.nmem = 0;
	round_trip(&ev, &enc, &dec);

	struct event rdtsc = { .icount = 1ULL << 40, .kind = EV_RDTSC,
			       .value = 0x123456789abcdefULL };
	round_trip(&rdtsc, &enc, &dec);
	struct event rdtscp = rdtsc;
	rdtscp.nr = 1;
	rdtscp.result = 3;
	round_trip(&rdtscp, &enc, &dec);
	struct event rdrand = { .icount = 1ULL << 40, .kind = EV_RDRAND,
				.value = UINT64_MAX, .result = 1 };
	round_trip(&rdrand, &enc, &dec);
	uint8_t rnd[16];
	for (int i = 0; i < 16; i++)
		rnd[i] = (uint8_t)rng();
	struct event_mem rm = { 0x3ffffffdd000, 16, rnd };
	struct event random = { .icount = 0, .kind = EV_RANDOM_BYTES,
				.nmem = 1, .mem = &rm };
	round_trip(&random, &enc, &dec);
	struct event sig = { .icount = UINT64_MAX, .kind = EV_SIGNAL, .nr = 11,
			     .args = { 11, 0, 1, 0xdeadbeef } };
	round_trip(&sig, &enc, &dec);
	struct event ex = { .icount = 7, .kind = EV_EXIT, .result = 256 * 3 };
	round_trip(&ex, &enc, &dec);
	struct event mf = { .icount = 8, .kind = EV_MMAP_FILE,
			    .args = { 0x400000, 0x2000, 5, 2 }, .value = 4096 };
	sha256("file", 4, mf.hash);
	round_trip(&mf, &enc, &dec);
	/* Every field at its extreme. */
	struct event big = { .icount = UINT64_MAX, .kind = EV_SYSCALL,
			     .nr = UINT64_MAX, .result = INT64_MIN,
			     .value = UINT64_MAX };
	for (int i = 0; i < 6; i++)
		big.args[i] = UINT64_MAX - (uint64_t)i;
	memset(big.hash, 0xff, 32);
	round_trip(&big, &enc, &dec);
	big.result = INT64_MAX;
	round_trip(&big, &enc, &dec);
}
END_TEST

START_TEST(test_event_payloads)
{
	struct event_ctx enc, dec;
	event_ctx_reset(&enc);
	event_ctx_reset(&dec);
	size_t n = 1 << 20;
	uint8_t *noise = malloc(n), *text = malloc(n);
	for (size_t i = 0; i < n; i++) {
		noise[i] = (uint8_t)rng();
		text[i] = "rewind records and replays "[i % 27];
	}
	/* Incompressible: stored raw. */
	struct event_mem m = { 0x10000, n, noise };
	struct event ev = { .icount = 1, .kind = EV_SYSCALL, .nr = 0,
			    .args = { 3, 0x10000, n }, .result = (int64_t)n,
			    .nmem = 1, .mem = &m };
	size_t len = round_trip(&ev, &enc, &dec);
	ck_assert_uint_ge(len, n);
	/* Compressible: much smaller. */
	m.data = text;
	len = round_trip(&ev, &enc, &dec);
	ck_assert_uint_lt(len, n / 20);
	/* Several regions, contiguous and not, some empty, compressed. */
	struct event_mem ms[5] = {
		{ 0x20000, 300, text }, { 0x20000 + 300, 5000, text + 7 },
		{ 0x90000, 0, NULL }, { 0x3000, 29, noise },
		{ 0x3000, 30, noise + 1 },
	};
	struct event rv = { .icount = 2, .kind = EV_SYSCALL, .nr = 19,
			    .args = { 3, 0x7000, 5 }, .result = 5359,
			    .nmem = 5, .mem = ms };
	len = round_trip(&rv, &enc, &dec);
	ck_assert_uint_lt(len, 2000);
	/* Just above and below the compression threshold. */
	for (size_t l = EVENT_PACK_MIN - 2; l < EVENT_PACK_MIN + 2; l++) {
		struct event_mem z = { 0x5000, l, text };
		struct event e = { .icount = 3, .kind = EV_SYSCALL, .nr = 0,
				   .nmem = 1, .mem = &z };
		round_trip(&e, &enc, &dec);
	}
	free(noise);
	free(text);
}
END_TEST

START_TEST(test_event_invalid)
{
	struct event_ctx ctx;
	event_ctx_reset(&ctx);
	uint8_t buf[256];
	size_t len;
	struct event ev = { .kind = 0 };
	ck_assert_int_eq(event_encode(&ev, &ctx, buf, sizeof(buf), &len),
			 TRACE_EINVAL);
	ev.kind = EV_KIND_MAX + 1;
	ck_assert_int_eq(event_encode(&ev, &ctx, buf, sizeof(buf), &len),
			 TRACE_EINVAL);
	struct event_mem m = { UINT64_MAX - 3, 8, buf };
	ev.kind = EV_SYSCALL;
	ev.nmem = 1;
	ev.mem = &m;
	ck_assert_int_eq(event_encode(&ev, &ctx, buf, sizeof(buf), &len),
			 TRACE_EINVAL);
	m.addr = 0;
	m.len = 200;
	ck_assert_int_eq(event_encode(&ev, &ctx, buf, 10, &len), -ENOSPC);
}
END_TEST

/* Every prefix and every extension of a valid record is refused, every
 * single-byte change either is refused or decodes to something that
 * encodes again. */
START_TEST(test_event_hostile)
{
	uint8_t data[400];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i % 13);
	struct event_mem m[2] = { { 0x1000, 300, data }, { 0x1200, 100, data } };
	struct event ev = { .icount = 99999, .kind = EV_SYSCALL, .nr = 17,
			    .args = { 4, 0x1000, 300, 77 }, .result = 300,
			    .nmem = 2, .mem = m };
	sha256("x", 1, ev.hash);
	struct event_ctx ctx, c2;
	event_ctx_reset(&ctx);
	uint8_t buf[1024], mut[1100];
	size_t len;
	ck_assert_int_eq(event_encode(&ev, &ctx, buf, sizeof(buf), &len), 0);
	for (size_t l = 0; l < len; l++) {
		struct event out;
		event_ctx_reset(&c2);
		ck_assert_int_lt(event_decode(buf, l, &c2, &out), 0);
		ck_assert_ptr_null(out.mem);
		event_ctx_reset(&c2);
		uint64_t ic;
		ck_assert_int_lt(event_decode_skip(buf, l, &c2, &ic), 0);
	}
	memcpy(mut, buf, len);
	mut[len] = 0;
	struct event out;
	event_ctx_reset(&c2);
	ck_assert_int_eq(event_decode(mut, len + 1, &c2, &out),
			 TRACE_EBADEVENT);
	for (size_t i = 0; i < len; i++) {
		for (int b = 0; b < 8; b++) {
			memcpy(mut, buf, len);
			mut[i] ^= (uint8_t)(1 << b);
			event_ctx_reset(&c2);
			int err = event_decode(mut, len, &c2, &out);
			if (err) {
				ck_assert(err == TRACE_EBADEVENT ||
					  err == TRACE_EEVVERSION);
				continue;
			}
			struct event_ctx c3;
			event_ctx_reset(&c3);
			uint8_t *re = malloc(event_encoded_bound(&out));
			size_t rl;
			ck_assert_int_eq(event_encode(&out, &c3, re,
				event_encoded_bound(&out), &rl), 0);
			free(re);
			event_free(&out);
		}
	}
	/* An unknown encoding version. */
	memcpy(mut, buf, len);
	mut[0] = (uint8_t)(0x20 | EV_SYSCALL);
	event_ctx_reset(&c2);
	ck_assert_int_eq(event_decode(mut, len, &c2, &out), TRACE_EEVVERSION);
	/* Relative arguments without a context to be relative to. */
	event_ctx_reset(&ctx);
	ck_assert_int_eq(event_encode(&ev, &ctx, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(event_encode(&ev, &ctx, buf, sizeof(buf), &len), 0);
	event_ctx_reset(&c2);
	ck_assert_int_eq(event_decode(buf, len, &c2, &out), TRACE_EBADEVENT);
	/* Random bytes. */
	for (int i = 0; i < 20000; i++) {
		size_t l = rng() % 64;
		for (size_t j = 0; j < l; j++)
			mut[j] = (uint8_t)rng();
		if (l)
			mut[0] = (uint8_t)(0x10 | (mut[0] & 7));
		event_ctx_reset(&c2);
		if (event_decode(mut, l, &c2, &out) == 0)
			event_free(&out);
	}
}
END_TEST

static uint8_t evbuf[16384];

static void fill_evbuf(void)
{
	for (size_t i = 0; i < sizeof(evbuf); i++)
		evbuf[i] = (uint8_t)(rng() & 0x0f);
}

/* A syscall-like mix, the way a recorder produces it.  Regions of up to
 * 16 bytes point into buf, larger ones into evbuf. */
static void make_event(uint64_t i, struct event *ev, struct event_mem *m,
		       uint8_t *buf)
{
	memset(ev, 0, sizeof(*ev));
	ev->icount = i * 1000 + (i % 7) * 13;
	ev->kind = EV_SYSCALL;
	ev->mem = m;
	for (int j = 0; j < 16; j++)
		buf[j] = (uint8_t)(i >> (j % 8));
	switch (i % 8) {
	case 0: case 1: case 2: /* clock_gettime */
		ev->nr = 228;
		ev->args[0] = 1;
		ev->args[1] = 0x3fffffffd8a0;
		ev->nmem = 1;
		m[0] = (struct event_mem){ 0x3fffffffd8a0, 16, buf };
		break;
	case 3: /* write: nothing journaled but the result */
		ev->nr = 1;
		ev->args[0] = 1;
		ev->args[1] = 0x4a0000 + i % 64;
		ev->args[2] = 12;
		ev->result = 12;
		break;
	case 4: /* read of 100 bytes */
		ev->nr = 0;
		ev->args[0] = 3;
		ev->args[1] = 0x4b0000;
		ev->args[2] = 4096;
		ev->result = 100;
		ev->nmem = 1;
		m[0] = (struct event_mem){ 0x4b0000, 100, buf };
		break;
	case 5: /* rdtsc */
		ev->kind = EV_RDTSC;
		ev->value = 0x1234567890ULL + i * 3000;
		break;
	case 6: /* getpid-like */
		ev->nr = 39;
		ev->result = 4242;
		break;
	case 7: /* every 64th: a large read (overflow pages), else fstat */
		if (i % 64 == 7) {
			ev->nr = 0;
			ev->args[0] = 4;
			ev->args[1] = 0x600000;
			ev->args[2] = 9000;
			ev->result = 9000;
			ev->nmem = 1;
			m[0] = (struct event_mem){ 0x600000, 9000, buf };
		} else {
			ev->nr = 5;
			ev->args[0] = 3;
			ev->args[1] = 0x3fffffffd700;
			ev->nmem = 1;
			m[0] = (struct event_mem){ 0x3fffffffd700, 144, buf };
		}
		break;
	}
	if (ev->nmem && m[0].len > 16)
		m[0].data = evbuf;
}

static void check_event(struct trace *t, uint64_t i)
{
	struct event want, got;
	struct event_mem m;
	uint8_t b[16];
	make_event(i, &want, &m, b);
	int err = trace_read_event(t, i, &got);
	ck_assert_msg(err == 0, "event %lu: %s", (unsigned long)i,
		      trace_strerror(err));
	ck_assert_msg(event_equal(&want, &got), "event %lu differs",
		      (unsigned long)i);
	event_free(&got);
}

static void append_events(struct trace *t, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++) {
		struct event ev;
		struct event_mem m;
		uint8_t b[16];
		make_event(i, &ev, &m, b);
		uint64_t seq;
		ck_assert_int_eq(trace_append(t, &ev, &seq), 0);
		ck_assert_uint_eq(seq, i);
	}
}

/* ---------------------------------------------------------------- trace */

START_TEST(test_trace_meta)
{
	struct trace *t;
	ck_assert_int_eq(trace_create(path, &t), 0);
	ck_assert_int_eq(trace_meta_put(t, "cwd", "/home/x", 7), 0);
	ck_assert_int_eq(trace_meta_put(t, "empty", "", 0), 0);
	ck_assert_int_eq(trace_meta_put(t, "", "x", 1), -EINVAL);
	void *v;
	size_t n;
	ck_assert_int_eq(trace_meta_get(t, "cwd", &v, &n), 0);
	ck_assert_uint_eq(n, 7);
	ck_assert_str_eq(v, "/home/x");
	free(v);
	ck_assert_int_eq(trace_meta_get(t, "nope", &v, &n), TRACE_ENOKEY);
	ck_assert_int_eq(trace_close(t), 0);

	ck_assert_int_eq(trace_open(path, &t), 0);
	ck_assert_uint_eq(trace_event_count(t), 0);
	ck_assert_int_eq(trace_meta_get(t, "version", &v, &n), 0);
	char ver[16];
	snprintf(ver, sizeof(ver), "%d", TRACE_FORMAT_VERSION);
	ck_assert_str_eq(v, ver);
	free(v);
	ck_assert_int_eq(trace_meta_get(t, "empty", &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
	ck_assert_int_eq(trace_meta_put(t, "a", "b", 1), TRACE_EREADONLY);
	struct event ev = { .kind = EV_EXIT };
	ck_assert_int_eq(trace_append(t, &ev, NULL), TRACE_EREADONLY);
	ck_assert_int_eq(trace_read_event(t, 0, &ev), TRACE_ENOEVENT);
	ck_assert_int_eq(trace_close(t), 0);

	/* Creating again replaces the file. */
	ck_assert_int_eq(trace_create(path, &t), 0);
	ck_assert_int_eq(trace_meta_get(t, "cwd", &v, &n), TRACE_ENOKEY);
	ck_assert_int_eq(trace_close(t), 0);
}
END_TEST

START_TEST(test_trace_blobs)
{
	struct trace *t;
	size_t n = 300000;
	uint8_t *text = malloc(n), *noise = malloc(n);
	for (size_t i = 0; i < n; i++) {
		text[i] = (uint8_t)("ELF\1 code and data "[i % 19]);
		noise[i] = (uint8_t)rng();
	}
	uint8_t h1[32], h2[32], h3[32], h4[32], h0[32];
	ck_assert_int_eq(trace_create(path, &t), 0);
	ck_assert_int_eq(trace_blob_put(t, text, n, h1), 0);
	ck_assert_int_eq(trace_blob_put(t, noise, n, h2), 0);
	ck_assert_int_eq(trace_blob_put(t, text, n, h3), 0);
	ck_assert_int_eq(trace_blob_put(t, "", 0, h0), 0);
	ck_assert_mem_eq(h1, h3, 32);
	ck_assert_mem_ne(h1, h2, 32);
	ck_assert_int_eq(trace_close(t), 0);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	/* The text compressed, the noise did not, the copy is not stored. */
	ck_assert_int_lt(st.st_size, n + n / 4);

	ck_assert_int_eq(trace_open(path, &t), 0);
	void *d;
	size_t l;
	ck_assert_int_eq(trace_blob_get(t, h1, &d, &l), 0);
	ck_assert_uint_eq(l, n);
	ck_assert_mem_eq(d, text, n);
	free(d);
	ck_assert_int_eq(trace_blob_get(t, h2, &d, &l), 0);
	ck_assert_uint_eq(l, n);
	ck_assert_mem_eq(d, noise, n);
	free(d);
	ck_assert_int_eq(trace_blob_get(t, h0, &d, &l), 0);
	ck_assert_uint_eq(l, 0);
	free(d);
	sha256("absent", 6, h4);
	ck_assert_int_eq(trace_blob_get(t, h4, &d, &l), TRACE_ENOBLOB);
	ck_assert_int_eq(trace_error(t), 0);
	trace_close(t);

	/* A blob stored under the wrong name is refused, and stays so. */
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 8), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK,
				      0644), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "blobs", 0, &dbi), 0);
	MDB_val k1 = { 32, h1 }, k2 = { 32, h2 }, v1, v2;
	ck_assert_int_eq(mdb_get(txn, dbi, &k1, &v1), 0);
	ck_assert_int_eq(mdb_get(txn, dbi, &k2, &v2), 0);
	void *c1 = malloc(v1.mv_size);
	memcpy(c1, v1.mv_data, v1.mv_size);
	v1.mv_data = c1;
	ck_assert_int_eq(mdb_put(txn, dbi, &k2, &v1, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	free(c1);
	ck_assert_int_eq(trace_open(path, &t), 0);
	ck_assert_int_eq(trace_blob_get(t, h2, &d, &l), TRACE_EBADBLOB);
	ck_assert_int_eq(trace_blob_get(t, h1, &d, &l), TRACE_EBADBLOB);
	ck_assert_int_eq(trace_error(t), TRACE_EBADBLOB);
	trace_close(t);
	free(text);
	free(noise);
}
END_TEST

START_TEST(test_trace_events)
{
	struct trace *t;
	uint64_t n = 10000;
	fill_evbuf();
	ck_assert_int_eq(trace_create(path, &t), 0);
	append_events(t, 0, n);
	ck_assert_uint_eq(trace_event_count(t), n);
	/* A writer reads what it wrote (committing first). */
	check_event(t, 5);
	append_events(t, n, n + 10);
	n += 10;
	ck_assert_int_eq(trace_close(t), 0);

	ck_assert_int_eq(trace_open(path, &t), 0);
	ck_assert_uint_eq(trace_event_count(t), n);
	struct trace_stats ts;
	ck_assert_int_eq(trace_stats(t, &ts), 0);
	ck_assert_uint_eq(ts.events, n);
	/* 9 full batches, the 784 committed by the read, the last 10 (more
	 * if the time bound struck). */
	ck_assert_uint_ge(ts.batches, 11);
	ck_assert_uint_le(ts.batches, 40);
	ck_assert_uint_gt(ts.stored_bytes, 0);
	ck_assert_uint_lt(ts.stored_bytes, ts.encoded_bytes);
	ck_assert_uint_eq(ts.blobs, 0);
	for (uint64_t i = 0; i < n; i++)
		check_event(t, i);
	/* Random order, backwards, batch boundaries. */
	for (int k = 0; k < 500; k++)
		check_event(t, rng() % n);
	for (uint64_t i = n; i-- > n - 2100;)
		check_event(t, i);
	struct event ev;
	ck_assert_int_eq(trace_read_event(t, n, &ev), TRACE_ENOEVENT);
	ck_assert_int_eq(trace_error(t), 0);
	trace_close(t);
}
END_TEST

/* What another process sees of a trace being written: whole batches,
 * closed by count or by time. */
static uint64_t count_seen(void)
{
	struct trace *r;
	ck_assert_int_eq(trace_open(path, &r), 0);
	uint64_t n = trace_event_count(r);
	trace_close(r);
	return n;
}

START_TEST(test_trace_batching)
{
	struct trace *t;
	fill_evbuf();
	ck_assert_int_eq(trace_create(path, &t), 0);
	append_events(t, 0, TRACE_BATCH_EVENTS - 1);
	ck_assert_uint_eq(count_seen(), 0);
	append_events(t, TRACE_BATCH_EVENTS - 1, TRACE_BATCH_EVENTS + 1);
	ck_assert_uint_eq(count_seen(), TRACE_BATCH_EVENTS);
	usleep(TRACE_BATCH_NS / 1000 + 50000);
	append_events(t, TRACE_BATCH_EVENTS + 1, TRACE_BATCH_EVENTS + 2);
	ck_assert_uint_eq(count_seen(), TRACE_BATCH_EVENTS + 2);
	append_events(t, TRACE_BATCH_EVENTS + 2, TRACE_BATCH_EVENTS + 3);
	ck_assert_int_eq(trace_commit(t), 0);
	ck_assert_int_eq(trace_commit(t), 0);
	ck_assert_uint_eq(count_seen(), TRACE_BATCH_EVENTS + 3);

	/* The byte bound: incompressible reads, the batch is committed once
	 * its body reaches TRACE_BATCH_BYTES. */
	size_t big = TRACE_BATCH_BYTES / 2 + 1000;
	uint8_t *noise = malloc(big);
	for (size_t i = 0; i < big; i++)
		noise[i] = (uint8_t)rng();
	struct event_mem m = { 0x700000, big, noise };
	struct event ev = { .icount = 1, .kind = EV_SYSCALL, .nr = 0,
			    .args = { 3, 0x700000, big }, .result = (int64_t)big,
			    .nmem = 1, .mem = &m };
	uint64_t s1, s2;
	ck_assert_int_eq(trace_append(t, &ev, &s1), 0);
	ck_assert_uint_eq(count_seen(), TRACE_BATCH_EVENTS + 3);
	ck_assert_int_eq(trace_append(t, &ev, &s2), 0);
	ck_assert_uint_eq(count_seen(), TRACE_BATCH_EVENTS + 5);
	/* One event larger than the bound: a batch of its own (stored
	 * without a second compression). */
	size_t huge = 5 * TRACE_BATCH_BYTES;
	uint8_t *hn = malloc(huge);
	for (size_t i = 0; i < huge; i++)
		hn[i] = (uint8_t)rng();
	struct event_mem hm = { 0x800000, huge, hn };
	struct event hev = ev;
	hev.mem = &hm;
	uint64_t s3;
	ck_assert_int_eq(trace_append(t, &hev, &s3), 0);
	ck_assert_uint_eq(count_seen(), TRACE_BATCH_EVENTS + 6);
	ck_assert_int_eq(trace_close(t), 0);
	ck_assert_int_eq(trace_open(path, &t), 0);
	struct event got;
	ck_assert_int_eq(trace_read_event(t, s2, &got), 0);
	ck_assert(event_equal(&ev, &got));
	event_free(&got);
	ck_assert_int_eq(trace_read_event(t, s1, &got), 0);
	ck_assert(event_equal(&ev, &got));
	event_free(&got);
	check_event(t, 3);
	ck_assert_int_eq(trace_read_event(t, s3, &got), 0);
	ck_assert(event_equal(&hev, &got));
	event_free(&got);
	trace_close(t);
	free(noise);
	free(hn);
}
END_TEST

/* A recorder killed with SIGKILL: the trace holds exactly the batches it
 * committed, and all of them read back. */
START_TEST(test_trace_sigkill)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	fill_evbuf();
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct trace *t;
		close(fds[0]);
		if (trace_create(path, &t))
			_exit(1);
		for (uint64_t i = 0;; i++) {
			struct event ev;
			struct event_mem m;
			uint8_t b[16];
			make_event(i, &ev, &m, b);
			if (trace_append(t, &ev, NULL))
				_exit(2);
			if (i % 1000 == 999) {
				if (trace_commit(t))
					_exit(3);
				uint64_t c = i + 1;
				if (write(fds[1], &c, 8) != 8)
					_exit(4);
			}
		}
	}
	close(fds[1]);
	uint64_t c, last = 0;
	for (int k = 0; k < 5; k++) {
		ck_assert_int_eq(read(fds[0], &c, 8), 8);
		last = c;
	}
	kill(pid, SIGKILL);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	while (read(fds[0], &c, 8) == 8)
		last = c;
	close(fds[0]);

	struct trace *t;
	ck_assert_int_eq(trace_open(path, &t), 0);
	uint64_t n = trace_event_count(t);
	/* Everything reported committed is there; anything beyond was
	 * committed by the count or time bound. */
	ck_assert_uint_ge(n, last);
	ck_assert_uint_gt(n, 0);
	for (uint64_t i = 0; i < n; i++)
		check_event(t, i);
	trace_close(t);
}
END_TEST

static void lmdb_edit_meta(const char *key, const char *val)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 8), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK,
				      0644), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	MDB_val k = { strlen(key), (void *)key };
	if (val) {
		MDB_val v = { strlen(val), (void *)val };
		ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	} else {
		ck_assert_int_eq(mdb_del(txn, dbi, &k, NULL), 0);
	}
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

START_TEST(test_trace_version)
{
	struct trace *t;
	ck_assert_int_eq(trace_open(path, &t), -ENOENT);
	ck_assert_int_eq(trace_create(path, &t), 0);
	ck_assert_int_eq(trace_meta_put(t, "version", "3", 1), 0);
	ck_assert_int_eq(trace_close(t), 0);
	ck_assert_int_eq(trace_open(path, &t), TRACE_EVERSION);
	lmdb_edit_meta("version", "2x");
	ck_assert_int_eq(trace_open(path, &t), TRACE_EVERSION);
	/* Version 1 (one record per event) is not read any more. */
	lmdb_edit_meta("version", "1");
	ck_assert_int_eq(trace_open(path, &t), TRACE_EVERSION);
	lmdb_edit_meta("version", NULL);
	ck_assert_int_eq(trace_open(path, &t), TRACE_ENOVERSION);
	lmdb_edit_meta("version", "2");
	ck_assert_int_eq(trace_open(path, &t), 0);
	trace_close(t);

	/* A meta value changed behind the library's back is refused. */
	ck_assert_int_eq(trace_create(path, &t), 0);
	ck_assert_int_eq(trace_meta_put(t, "cwd", "/home/a", 7), 0);
	ck_assert_int_eq(trace_close(t), 0);
	lmdb_edit_meta("cwd", "12345678/home/b");
	ck_assert_int_eq(trace_open(path, &t), 0);
	void *v;
	size_t vl;
	ck_assert_int_eq(trace_meta_get(t, "cwd", &v, &vl), TRACE_ECORRUPT);
	ck_assert_int_eq(trace_error(t), TRACE_ECORRUPT);
	trace_close(t);
	lmdb_edit_meta("cwd", "1234567");
	ck_assert_int_eq(trace_open(path, &t), 0);
	ck_assert_int_eq(trace_meta_get(t, "cwd", &v, &vl), TRACE_ECORRUPT);
	trace_close(t);

	/* Not LMDB: empty, text, a page of zeros; an LMDB file that is not
	 * a trace. */
	FILE *f = fopen(path, "w");
	fclose(f);
	ck_assert_int_eq(trace_open(path, &t), TRACE_ENOTTRACE);
	f = fopen(path, "w");
	for (int i = 0; i < 1000; i++)
		fputs("hello, world\n", f);
	fclose(f);
	ck_assert_int_eq(trace_open(path, &t), TRACE_ENOTTRACE);
	ck_assert_int_eq(trace_open(tmpdir, &t), TRACE_ENOTTRACE);
	unlink(path);
	MDB_env *env;
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK,
				      0644), 0);
	MDB_txn *txn;
	MDB_dbi dbi;
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	MDB_val k = { 3, "key" }, val = { 3, "val" };
	ck_assert_int_eq(mdb_put(txn, dbi, &k, &val, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	/* (a plain key in the main DB: refused by the structure check) */
	int err = trace_open(path, &t);
	ck_assert(err == TRACE_ENOTTRACE || err == TRACE_ECORRUPT);
}
END_TEST

/* ---------------------------------------------------------------- damage */

static uint8_t *orig;
static size_t orig_size;
static uint64_t orig_count;
static uint8_t blob_hash[3][32];
static uint8_t *blob_data[3];
static size_t blob_len[3];

static void write_file(const uint8_t *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void make_reference_trace(void)
{
	struct trace *t;
	fill_evbuf();
	ck_assert_int_eq(trace_create(path, &t), 0);
	ck_assert_int_eq(trace_meta_put(t, "argv", "prog\0arg", 8), 0);
	for (int b = 0; b < 3; b++) {
		blob_len[b] = b == 0 ? 100 : b == 1 ? 5000 : 20000;
		blob_data[b] = malloc(blob_len[b]);
		for (size_t i = 0; i < blob_len[b]; i++)
			blob_data[b][i] = (uint8_t)(b == 2 ? rng() : i / 7);
		ck_assert_int_eq(trace_blob_put(t, blob_data[b], blob_len[b],
						blob_hash[b]), 0);
	}
	orig_count = 1500;
	append_events(t, 0, 700);
	ck_assert_int_eq(trace_commit(t), 0);
	append_events(t, 700, orig_count);
	ck_assert_int_eq(trace_close(t), 0);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	orig_size = (size_t)st.st_size;
	orig = malloc(orig_size);
	int fd = open(path, O_RDONLY);
	ck_assert_int_eq(read(fd, orig, orig_size), (ssize_t)orig_size);
	close(fd);
}

static void free_reference_trace(void)
{
	free(orig);
	for (int b = 0; b < 3; b++)
		free(blob_data[b]);
}

/* Opens the damaged file and reads everything.  Every call must either
 * fail cleanly or return exactly the original data; after the first
 * corruption error, every later call fails the same way.  Returns 1 when
 * the damage was detected. */
static int read_damaged(void)
{
	struct trace *t;
	int err = trace_open(path, &t);
	if (err) {
		ck_assert_msg(err < 0 && trace_strerror(err)[0],
			      "open: %d", err);
		return 1;
	}
	int detected = 0;
	void *v;
	size_t vl;
	err = trace_meta_get(t, "argv", &v, &vl);
	if (err) {
		ck_assert(err < 0);
		detected = 1;
	} else {
		ck_assert_uint_eq(vl, 8);
		ck_assert_mem_eq(v, "prog\0arg", 8);
		free(v);
	}
	uint64_t n = trace_event_count(t);
	ck_assert_uint_le(n, orig_count);
	for (uint64_t i = 0; i < n; i++) {
		struct event want, got;
		struct event_mem m;
		uint8_t b[16];
		make_event(i, &want, &m, b);
		err = trace_read_event(t, i, &got);
		if (err) {
			ck_assert(trace_err_is_corrupt(err));
			ck_assert_int_eq(trace_error(t), err);
			detected = 1;
			/* sticky */
			ck_assert_int_eq(trace_read_event(t, 0, &got), err);
			break;
		}
		ck_assert_msg(event_equal(&want, &got),
			      "event %lu silently changed", (unsigned long)i);
		event_free(&got);
	}
	for (int bl = 0; bl < 3; bl++) {
		void *d;
		size_t l;
		err = trace_blob_get(t, blob_hash[bl], &d, &l);
		if (err) {
			ck_assert(err < 0);
			detected = 1;
			continue;
		}
		ck_assert_uint_eq(l, blob_len[bl]);
		ck_assert_mem_eq(d, blob_data[bl], l);
		free(d);
	}
	trace_close(t);
	return detected || n < orig_count;
}

START_TEST(test_damage_flip)
{
	make_reference_trace();
	uint8_t *copy = malloc(orig_size);
	unsigned detected = 0, trials = 0;
	/* About 1200 offsets spread over the whole file. */
	size_t stride = orig_size / 600 + 1;
	for (size_t off = 0; off < orig_size; off += 1 + rng() % stride) {
		memcpy(copy, orig, orig_size);
		copy[off] ^= (uint8_t)(1 + rng() % 255);
		write_file(copy, orig_size);
		detected += read_damaged();
		trials++;
	}
	/* Whole pages of garbage. */
	for (size_t pg = 0; pg < orig_size / 4096; pg++) {
		memcpy(copy, orig, orig_size);
		for (size_t i = 0; i < 4096; i++)
			copy[pg * 4096 + i] = (uint8_t)rng();
		write_file(copy, orig_size);
		detected += read_damaged();
		trials++;
	}
	ck_assert_uint_gt(detected, trials / 10);
	free(copy);
	free_reference_trace();
}
END_TEST

START_TEST(test_damage_truncate)
{
	make_reference_trace();
	for (size_t len = 0; len < orig_size; len += 1 + rng() % 3000) {
		write_file(orig, len);
		ck_assert_int_eq(read_damaged(), 1);
	}
	/* Extra bytes at the end are harmless. */
	uint8_t *longer = calloc(1, orig_size + 5000);
	memcpy(longer, orig, orig_size);
	write_file(longer, orig_size + 5000);
	ck_assert_int_eq(read_damaged(), 0);
	free(longer);
	free_reference_trace();
}
END_TEST

/* Batch records edited behind the library's back (format in trace.h). */
#define HDR 46

struct batch {
	uint8_t hdr[HDR];
	uint8_t *body;		/* decompressed */
	size_t len;
};

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t rd_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static MDB_env *ed_env;
static MDB_txn *ed_txn;
static MDB_dbi ed_dbi;

static void edit_begin(void)
{
	ck_assert_int_eq(mdb_env_create(&ed_env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(ed_env, 8), 0);
	ck_assert_int_eq(mdb_env_open(ed_env, path, MDB_NOSUBDIR | MDB_NOLOCK,
				      0644), 0);
	ck_assert_int_eq(mdb_txn_begin(ed_env, NULL, 0, &ed_txn), 0);
	ck_assert_int_eq(mdb_dbi_open(ed_txn, "batches", 0, &ed_dbi), 0);
}

static void edit_end(void)
{
	ck_assert_int_eq(mdb_txn_commit(ed_txn), 0);
	mdb_env_close(ed_env);
}

static void batch_read(uint64_t first, struct batch *b)
{
	uint8_t key[8];
	be64(key, first);
	MDB_val k = { 8, key }, d;
	ck_assert_int_eq(mdb_get(ed_txn, ed_dbi, &k, &d), 0);
	ck_assert_uint_ge(d.mv_size, HDR);
	memcpy(b->hdr, d.mv_data, HDR);
	const uint8_t *s = (const uint8_t *)d.mv_data + HDR;
	size_t slen = d.mv_size - HDR;
	b->len = rd_le(b->hdr + 6, 8);
	b->body = malloc(b->len);
	if (b->hdr[1] == 0) {
		ck_assert_uint_eq(slen, b->len);
		memcpy(b->body, s, slen);
	} else {
		ck_assert_uint_eq(ZSTD_decompress(b->body, b->len, s, slen),
				  b->len);
	}
}

/* Writes b under key first, compressed or not; rehash: a valid checksum
 * for what is written (a forgery rather than damage). */
static void batch_write(uint64_t first, struct batch *b, int compress,
			int rehash)
{
	size_t cap = ZSTD_compressBound(b->len) + HDR;
	uint8_t *rec = malloc(cap), key[8];
	memcpy(rec, b->hdr, HDR);
	size_t n = b->len;
	if (compress) {
		n = ZSTD_compress(rec + HDR, cap - HDR, b->body, b->len, 1);
		ck_assert(!ZSTD_isError(n));
		rec[1] = 1;
	} else {
		memcpy(rec + HDR, b->body, b->len);
		rec[1] = 0;
	}
	if (rehash) {
		struct sha256 h;
		uint8_t pre[20];
		be64(pre, first);
		memcpy(pre + 8, rec + 2, 12);
		sha256_init(&h);
		sha256_update(&h, pre, sizeof(pre));
		sha256_update(&h, b->body, b->len);
		sha256_final(&h, rec + 14);
	}
	be64(key, first);
	MDB_val k = { 8, key }, d = { HDR + n, rec };
	ck_assert_int_eq(mdb_put(ed_txn, ed_dbi, &k, &d, 0), 0);
	free(rec);
}

static void batch_del(uint64_t first)
{
	uint8_t key[8];
	be64(key, first);
	MDB_val k = { 8, key };
	ck_assert_int_eq(mdb_del(ed_txn, ed_dbi, &k, NULL), 0);
}

/* The batches of the reference trace. */
static const uint64_t ref_batch[] = { 0, 700 };

static uint64_t batch_of(uint64_t seq)
{
	return seq < 700 ? 0 : 700;
}

/* Offset and length of the framed record of event seq in b's body. */
static size_t event_at(const struct batch *b, uint64_t first, uint64_t seq,
		       size_t *len)
{
	size_t p = 0;
	for (uint64_t s = first;; s++) {
		uint64_t l = 0;
		size_t start = p;
		for (int sh = 0;; sh += 7) {
			uint8_t c = b->body[p++];
			l |= (uint64_t)(c & 0x7f) << sh;
			if (!(c & 0x80))
				break;
		}
		p += l;
		if (s == seq) {
			*len = p - start;
			return start;
		}
	}
}

/* Swaps the encoded records of events a < b (same batch or not); the
 * headers keep their checksums, the body lengths are updated. */
static void swap_events(uint64_t a, uint64_t b)
{
	edit_begin();
	uint64_t fa = batch_of(a), fb = batch_of(b);
	struct batch ba, bb;
	batch_read(fa, &ba);
	batch_read(fb, &bb);
	size_t la, lb, oa = event_at(&ba, fa, a, &la);
	size_t ob = event_at(&bb, fb, b, &lb);
	uint8_t *ra = malloc(la), *rb = malloc(lb);
	memcpy(ra, ba.body + oa, la);
	memcpy(rb, bb.body + ob, lb);
	if (fa == fb) {
		/* [.. a .. b ..] -> [.. b .. a ..] */
		uint8_t *nb = malloc(ba.len);
		size_t mid = ob - oa - la, n = 0;
		memcpy(nb, ba.body, oa), n += oa;
		memcpy(nb + n, rb, lb), n += lb;
		memcpy(nb + n, ba.body + oa + la, mid), n += mid;
		memcpy(nb + n, ra, la), n += la;
		memcpy(nb + n, ba.body + ob + lb, ba.len - ob - lb);
		n += ba.len - ob - lb;
		ck_assert_uint_eq(n, ba.len);
		free(ba.body);
		ba.body = nb;
		batch_write(fa, &ba, 1, 0);
	} else {
		uint8_t *na = malloc(ba.len - la + lb);
		uint8_t *nb = malloc(bb.len - lb + la);
		memcpy(na, ba.body, oa);
		memcpy(na + oa, rb, lb);
		memcpy(na + oa + lb, ba.body + oa + la, ba.len - oa - la);
		memcpy(nb, bb.body, ob);
		memcpy(nb + ob, ra, la);
		memcpy(nb + ob + la, bb.body + ob + lb, bb.len - ob - lb);
		ba.len = ba.len - la + lb;
		bb.len = bb.len - lb + la;
		le(ba.hdr + 6, ba.len, 8);
		le(bb.hdr + 6, bb.len, 8);
		free(ba.body);
		free(bb.body);
		ba.body = na;
		bb.body = nb;
		batch_write(fa, &ba, 1, 0);
		batch_write(fb, &bb, 1, 0);
	}
	free(ba.body);
	free(bb.body);
	free(ra);
	free(rb);
	edit_end();
}

/* Swaps the two batch records whole. */
static void swap_batches(void)
{
	edit_begin();
	struct batch b0, b1;
	batch_read(ref_batch[0], &b0);
	batch_read(ref_batch[1], &b1);
	batch_write(ref_batch[0], &b1, 1, 0);
	batch_write(ref_batch[1], &b0, 0, 0);
	free(b0.body);
	free(b1.body);
	edit_end();
}

/* Reads every event in order; the error (0 if none) and where. */
static int read_all(uint64_t *at)
{
	struct trace *t;
	int err = trace_open(path, &t);
	*at = UINT64_MAX;
	if (err)
		return err;
	struct event ev;
	for (uint64_t i = 0; i < trace_event_count(t) && !err; i++) {
		err = trace_read_event(t, i, &ev);
		if (!err)
			event_free(&ev);
	}
	if (err) {
		ck_assert_int_eq(trace_error(t), err);
		*at = trace_error_event(t);
	}
	trace_close(t);
	return err;
}

START_TEST(test_damage_swap)
{
	make_reference_trace();
	const uint64_t pairs[][2] = { { 0, 1 }, { 8, 16 }, { 699, 700 },
				      { 3, 1400 }, { 1498, 1499 } };
	uint64_t at;
	for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		write_file(orig, orig_size);
		swap_events(pairs[p][0], pairs[p][1]);
		ck_assert_int_eq(read_all(&at), TRACE_EBATCH);
		/* (at open when the last batch is damaged) */
		ck_assert(at == UINT64_MAX ? batch_of(pairs[p][1]) == 700
					   : at <= pairs[p][0]);
		ck_assert_int_eq(read_damaged(), 1);
	}
	/* Whole batches swapped (one of them stored raw now): the checksum
	 * covers the batch's place. */
	write_file(orig, orig_size);
	swap_batches();
	ck_assert_int_eq(read_all(&at), TRACE_EBATCH);
	ck_assert_int_eq(read_damaged(), 1);
	free_reference_trace();
}
END_TEST

/* Batch records that match their checksum but not their header or each
 * other, and bounds checked before decompressing. */
START_TEST(test_damage_forged)
{
	make_reference_trace();
	struct batch b;
	uint64_t at;
	/* Rewritten unchanged, raw or compressed: still fine. */
	for (int c = 0; c < 2; c++) {
		write_file(orig, orig_size);
		edit_begin();
		batch_read(0, &b);
		batch_write(0, &b, c, 1);
		free(b.body);
		edit_end();
		ck_assert_int_eq(read_all(&at), 0);
		ck_assert_int_eq(read_damaged(), 0);
	}
	/* More events in the header than framed, fewer, trailing bytes, an
	 * event with a length running past the end. */
	for (int kind = 0; kind < 4; kind++) {
		write_file(orig, orig_size);
		edit_begin();
		batch_read(0, &b);
		if (kind == 0) {
			le(b.hdr + 2, 701, 4);
		} else if (kind == 1) {
			le(b.hdr + 2, 699, 4);
		} else if (kind == 2) {
			b.body = realloc(b.body, b.len + 1);
			b.body[b.len++] = 0;
			le(b.hdr + 6, b.len, 8);
		} else {
			size_t l, o = event_at(&b, 0, 699, &l);
			b.body[o] = 0x7f;	/* 127 > what is left */
		}
		batch_write(0, &b, kind & 1, 1);
		free(b.body);
		edit_end();
		int err = read_all(&at);
		ck_assert_msg(err == TRACE_EBATCH, "kind %d: %d", kind, err);
		ck_assert_int_eq(read_damaged(), 1);
	}
	/* A body that frames but does not decode: malformed event. */
	write_file(orig, orig_size);
	edit_begin();
	batch_read(700, &b);
	{
		size_t l, o = event_at(&b, 700, 1000, &l);
		b.body[o + 1] = 0x70 | EV_SYSCALL;	/* encoding version 7 */
	}
	batch_write(700, &b, 1, 1);
	free(b.body);
	edit_end();
	ck_assert_int_eq(read_all(&at), TRACE_EEVVERSION);
	ck_assert_uint_eq(at, 1000);
	ck_assert_int_eq(read_damaged(), 1);
	/* Stated sizes that a small record cannot hold: a huge body length,
	 * a frame whose content size disagrees, an unknown method. */
	for (int kind = 0; kind < 3; kind++) {
		write_file(orig, orig_size);
		edit_begin();
		batch_read(0, &b);
		uint8_t key[8];
		be64(key, 0);
		MDB_val k = { 8, key }, d;
		ck_assert_int_eq(mdb_get(ed_txn, ed_dbi, &k, &d), 0);
		uint8_t *rec = malloc(d.mv_size);
		memcpy(rec, d.mv_data, d.mv_size);
		ck_assert_int_eq(rec[1], 1);
		if (kind == 0)
			le(rec + 6, 1ULL << 30, 8);
		else if (kind == 1)
			le(rec + 6, b.len + 1, 8);
		else
			rec[1] = 2;
		MDB_val nd = { d.mv_size, rec };
		ck_assert_int_eq(mdb_put(ed_txn, ed_dbi, &k, &nd, 0), 0);
		free(rec);
		free(b.body);
		edit_end();
		ck_assert_int_eq(read_all(&at), TRACE_EBATCH);
		ck_assert_int_eq(read_damaged(), 1);
	}
	/* A missing first batch; the last batch moved (its checksum covers
	 * its first seq); a gap; batches overlapping. */
	for (int kind = 0; kind < 4; kind++) {
		write_file(orig, orig_size);
		edit_begin();
		if (kind == 0) {
			batch_del(0);
		} else {
			uint64_t to = kind == 1 ? 701 : kind == 2 ? 702 : 690;
			batch_read(700, &b);
			batch_del(700);
			if (kind == 2)
				le(b.hdr + 2, 798, 4);	/* end stays 1500 */
			if (kind == 3)
				le(b.hdr + 2, 810, 4);
			batch_write(to, &b, 1, kind != 1);
			free(b.body);
		}
		edit_end();
		int err = read_all(&at);
		ck_assert_msg(err == TRACE_EBATCH, "kind %d: %d", kind, err);
		ck_assert_int_eq(read_damaged(), 1);
	}
	free_reference_trace();
}
END_TEST

static Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("hash");
	tcase_add_test(tc, test_sha256_vectors);
	suite_add_tcase(s, tc);

	tc = tcase_create("event");
	tcase_add_test(tc, test_event_kinds);
	tcase_add_test(tc, test_event_payloads);
	tcase_add_test(tc, test_event_invalid);
	tcase_add_test(tc, test_event_hostile);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_trace_meta);
	tcase_add_test(tc, test_trace_blobs);
	tcase_add_test(tc, test_trace_events);
	tcase_add_test(tc, test_trace_batching);
	tcase_add_test(tc, test_trace_sigkill);
	tcase_add_test(tc, test_trace_version);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("damage");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_damage_flip);
	tcase_add_test(tc, test_damage_truncate);
	tcase_add_test(tc, test_damage_swap);
	tcase_add_test(tc, test_damage_forged);
	tcase_set_timeout(tc, 600);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trace_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
