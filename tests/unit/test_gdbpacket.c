/*
 * test_gdbpacket.c - the gdb remote protocol packet layer
 * (src/gdbstub/packet.c): framing (chunked input, checksums, escapes, run
 * lengths, interrupts, junk, oversized packets), reply encoding and round
 * trips, every request kind well- and badly formed, and the agreement of
 * the amd64 target description with the register table.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdbstub/packet.h"

/* ---------------------------------------------------------------- helpers */

/* One event as the tests record it: payloads are copied. */
struct rec {
	enum gdb_event_kind kind;
	size_t len;
	uint8_t *data;
};

#define MAX_RECS 64

struct recs {
	size_t n;
	struct rec r[MAX_RECS];
};

static void recs_free(struct recs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->r[i].data);
	rs->n = 0;
}

/* Feeds in[0..len) in pieces of the given sizes (cycled), recording every
 * event. */
static void feed_chunks(struct gdb_reader *r, const uint8_t *in, size_t len,
			const size_t *sizes, size_t nsizes, struct recs *rs)
{
	size_t k = 0;
	while (len > 0) {
		size_t chunk = sizes[k++ % nsizes];
		if (chunk > len)
			chunk = len;
		const uint8_t *p = in;
		size_t left = chunk;
		while (left > 0) {
			struct gdb_event ev;
			size_t used = gdb_reader_feed(r, p, left, &ev);
			ck_assert_uint_ge(used, 1);
			ck_assert_uint_le(used, left);
			p += used;
			left -= used;
			if (ev.kind == GDB_EV_NONE) {
				ck_assert_uint_eq(left, 0);
				continue;
			}
			ck_assert_uint_lt(rs->n, MAX_RECS);
			struct rec *rec = &rs->r[rs->n++];
			rec->kind = ev.kind;
			rec->len = ev.len;
			rec->data = NULL;
			if (ev.kind == GDB_EV_PACKET) {
				ck_assert_ptr_nonnull(ev.data);
				ck_assert_uint_eq(ev.data[ev.len], 0);
				rec->data = malloc(ev.len + 1);
				memcpy(rec->data, ev.data, ev.len);
			} else if (ev.kind == GDB_EV_BAD_CHECKSUM ||
				   ev.kind == GDB_EV_INVALID) {
				ck_assert_ptr_nonnull(ev.reason);
			}
		}
		in += chunk;
		len -= chunk;
	}
}

static void feed_all(struct gdb_reader *r, const void *in, size_t len,
		     struct recs *rs)
{
	size_t whole = len ? len : 1;
	feed_chunks(r, in, len, &whole, 1, rs);
}

static struct gdb_reader *reader_new(void)
{
	struct gdb_reader *r;
	ck_assert_int_eq(gdb_reader_create(&r), 0);
	return r;
}

/* "$" payload "#" checksum, with the payload taken literally. */
static size_t raw_packet(char *out, const void *payload, size_t len)
{
	const uint8_t *p = payload;
	uint8_t sum = 0;
	out[0] = '$';
	for (size_t i = 0; i < len; i++) {
		out[1 + i] = (char)p[i];
		sum += p[i];
	}
	sprintf(out + 1 + len, "#%02x", sum);
	return len + 4;
}

static void assert_one_packet(const struct recs *rs, const void *data,
			      size_t len)
{
	ck_assert_uint_eq(rs->n, 1);
	ck_assert_int_eq(rs->r[0].kind, GDB_EV_PACKET);
	ck_assert_uint_eq(rs->r[0].len, len);
	ck_assert(memcmp(rs->r[0].data, data, len) == 0);
}

/* The request under test: large, so not on the stack of every test. */
static struct gdb_request req;

static int parse(const char *s)
{
	return gdb_parse_request(s, strlen(s), &req);
}

static void assert_kind(const char *s, enum gdb_req_kind kind)
{
	int err = parse(s);
	ck_assert_msg(req.kind == kind, "%s: kind %s, expected %s (%s)", s,
		      gdb_req_kind_name(req.kind), gdb_req_kind_name(kind),
		      req.reason ? req.reason : "");
	if (kind == GDB_REQ_UNKNOWN)
		ck_assert_int_eq(err, -ENOSYS);
	else if (kind == GDB_REQ_MALFORMED)
		ck_assert_int_eq(err, -EINVAL);
	else
		ck_assert_int_eq(err, 0);
}

static void assert_malformed(const char *s)
{
	assert_kind(s, GDB_REQ_MALFORMED);
	ck_assert_ptr_nonnull(req.reason);
	ck_assert(strlen(req.reason) > 0);
}

/* Framed text of a payload given as a C string. */
static char *frame_str(struct gdb_buf *b, const void *payload, size_t len)
{
	gdb_buf_reset(b);
	ck_assert_int_eq(gdb_frame_packet(b, payload, len), 0);
	gdb_buf_append_char(b, 0);
	b->len--;
	return (char *)b->data;
}

/* ---------------------------------------------------------------- framing */

START_TEST(test_frame_basic)
{
	struct gdb_reader *r = reader_new();
	struct recs rs = { 0 };
	feed_all(r, "$g#67", 5, &rs);
	assert_one_packet(&rs, "g", 1);
	recs_free(&rs);

	/* Acks, interrupts and packets in one stream; junk ignored. */
	const char *s = "+junk$?#3f-\x03\r\n$qC#b4";
	feed_all(r, s, strlen(s), &rs);
	ck_assert_uint_eq(rs.n, 5);
	ck_assert_int_eq(rs.r[0].kind, GDB_EV_ACK);
	ck_assert_int_eq(rs.r[1].kind, GDB_EV_PACKET);
	ck_assert_uint_eq(rs.r[1].len, 1);
	ck_assert_int_eq(rs.r[1].data[0], '?');
	ck_assert_int_eq(rs.r[2].kind, GDB_EV_NACK);
	ck_assert_int_eq(rs.r[3].kind, GDB_EV_INTERRUPT);
	ck_assert_int_eq(rs.r[4].kind, GDB_EV_PACKET);
	ck_assert(memcmp(rs.r[4].data, "qC", 2) == 0);
	recs_free(&rs);

	/* Upper-case checksum digits are fine; an empty packet too. */
	feed_all(r, "$OK#9A$#00", 10, &rs);
	ck_assert_uint_eq(rs.n, 2);
	ck_assert_int_eq(rs.r[0].kind, GDB_EV_PACKET);
	ck_assert_int_eq(rs.r[1].kind, GDB_EV_PACKET);
	ck_assert_uint_eq(rs.r[1].len, 0);
	recs_free(&rs);
	gdb_reader_destroy(r);
}
END_TEST

/* Any split of a stream into two reads, and byte-at-a-time reads, give the
 * same events as one read. */
START_TEST(test_frame_chunked)
{
	char stream[512];
	size_t n = 0;
	n += raw_packet(stream + n, "qSupported:multiprocess+", 24);
	stream[n++] = '+';
	n += raw_packet(stream + n, "m401000,}\x04*!", 12); /* escape, RLE */
	stream[n++] = 0x03;
	stream[n++] = 'x';
	n += raw_packet(stream + n, "vCont;c", 7);
	n += raw_packet(stream + n, "bad", 3);
	stream[n - 1] ^= 1;	/* corrupt the checksum */
	stream[n++] = '-';

	struct gdb_reader *r = reader_new();
	struct recs want = { 0 };
	feed_all(r, stream, n, &want);
	ck_assert_uint_eq(want.n, 7);
	ck_assert_int_eq(want.r[0].kind, GDB_EV_PACKET);
	ck_assert_int_eq(want.r[1].kind, GDB_EV_ACK);
	ck_assert_int_eq(want.r[2].kind, GDB_EV_PACKET);
	ck_assert_uint_eq(want.r[2].len, 13);
	/* the run repeats the raw byte after the escape, not the '$' */
	ck_assert(memcmp(want.r[2].data, "m401000,$\x04\x04\x04\x04", 13) == 0);
	ck_assert_int_eq(want.r[3].kind, GDB_EV_INTERRUPT);
	ck_assert_int_eq(want.r[4].kind, GDB_EV_PACKET);
	ck_assert_int_eq(want.r[5].kind, GDB_EV_BAD_CHECKSUM);
	ck_assert_int_eq(want.r[6].kind, GDB_EV_NACK);

	for (size_t split = 0; split <= n; split++) {
		struct recs got = { 0 };
		size_t sizes[2] = { split ? split : n, n - split ? n - split : n };
		gdb_reader_reset(r);
		feed_chunks(r, (const uint8_t *)stream, n, sizes, 2, &got);
		ck_assert_uint_eq(got.n, want.n);
		for (size_t i = 0; i < want.n; i++) {
			ck_assert_int_eq(got.r[i].kind, want.r[i].kind);
			ck_assert_uint_eq(got.r[i].len, want.r[i].len);
			if (want.r[i].data)
				ck_assert(memcmp(got.r[i].data, want.r[i].data,
						 want.r[i].len) == 0);
		}
		recs_free(&got);
	}
	struct recs got = { 0 };
	size_t one = 1;
	gdb_reader_reset(r);
	feed_chunks(r, (const uint8_t *)stream, n, &one, 1, &got);
	ck_assert_uint_eq(got.n, want.n);
	recs_free(&got);
	recs_free(&want);
	gdb_reader_destroy(r);
}
END_TEST

START_TEST(test_frame_bad_checksum)
{
	struct gdb_reader *r = reader_new();
	struct recs rs = { 0 };
	feed_all(r, "$g#68", 5, &rs);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_int_eq(rs.r[0].kind, GDB_EV_BAD_CHECKSUM);
	recs_free(&rs);
	/* Not hex: reported at the bad digit, and the reader recovers. */
	feed_all(r, "$g#6z$g#67", 10, &rs);
	ck_assert_uint_eq(rs.n, 2);
	ck_assert_int_eq(rs.r[0].kind, GDB_EV_BAD_CHECKSUM);
	ck_assert_int_eq(rs.r[1].kind, GDB_EV_PACKET);
	recs_free(&rs);
	feed_all(r, "$g#x7+", 6, &rs);
	ck_assert_uint_eq(rs.n, 2);
	ck_assert_int_eq(rs.r[0].kind, GDB_EV_BAD_CHECKSUM);
	ck_assert_int_eq(rs.r[1].kind, GDB_EV_ACK);
	recs_free(&rs);
	/* A bad checksum wins over a decoding error (gdb must resend). */
	feed_all(r, "$*#00", 5, &rs);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_int_eq(rs.r[0].kind, GDB_EV_BAD_CHECKSUM);
	recs_free(&rs);
	gdb_reader_destroy(r);
}
END_TEST

START_TEST(test_frame_escape_rle)
{
	struct gdb_reader *r = reader_new();
	struct recs rs = { 0 };
	char pkt[256];
	size_t n;

	/* '}' escapes: '#' '$' '}' '*' and an arbitrary byte. */
	n = raw_packet(pkt, "X0,5:}\x03}\x04}]}\x0a}\x20", 15);
	feed_all(r, pkt, n, &rs);
	assert_one_packet(&rs, "X0,5:#$}*\0", 10);
	recs_free(&rs);

	/* "0* " is four zeros: one plus ' ' - 29 = 3 more. */
	n = raw_packet(pkt, "0* ", 3);
	feed_all(r, pkt, n, &rs);
	assert_one_packet(&rs, "0000", 4);
	recs_free(&rs);

	/* The largest count, '~': 97 more. */
	n = raw_packet(pkt, "a*~b", 4);
	feed_all(r, pkt, n, &rs);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_uint_eq(rs.r[0].len, 99);
	for (int i = 0; i < 98; i++)
		ck_assert_int_eq(rs.r[0].data[i], 'a');
	ck_assert_int_eq(rs.r[0].data[98], 'b');
	recs_free(&rs);

	/* '*' repeats the previous raw byte, as gdb expands runs before it
	 * unescapes: "}]" is '}', then "*!" gives four more ']'. */
	n = raw_packet(pkt, "}]*!", 4);
	feed_all(r, pkt, n, &rs);
	assert_one_packet(&rs, "}]]]]", 5);
	recs_free(&rs);

	/* Checksummed correctly but undecodable: GDB_EV_INVALID. */
	const char *bad[] = {
		"*!",		/* nothing to repeat */
		"a*\x1f",	/* count below ' ' */
		"a*\x7f",	/* count above '~' */
		"a}",		/* dangling escape */
		"a*",		/* count missing */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = raw_packet(pkt, bad[i], strlen(bad[i]));
		feed_all(r, pkt, n, &rs);
		ck_assert_uint_eq(rs.n, 1);
		ck_assert_msg(rs.r[0].kind == GDB_EV_INVALID, "%s", bad[i]);
		recs_free(&rs);
	}
	gdb_reader_destroy(r);
}
END_TEST

START_TEST(test_frame_interrupt_junk_restart)
{
	struct gdb_reader *r = reader_new();
	struct recs rs = { 0 };
	char pkt[64];
	/* 0x03, '+' and '-' inside a packet are data. */
	size_t n = raw_packet(pkt, "a\x03+-b", 5);
	feed_all(r, pkt, n, &rs);
	assert_one_packet(&rs, "a\x03+-b", 5);
	recs_free(&rs);

	/* A notification is junk to us; nothing in it is an event. */
	const char *s = "%Stop:T05#xx\x01\xff garbage";
	feed_all(r, s, strlen(s), &rs);
	ck_assert_uint_eq(rs.n, 0);

	/* '$' restarts a packet wherever it appears. */
	const char *restarts[] = { "$abc$g#67", "$ab*$g#67", "$ab#$g#67",
				   "$ab#6$g#67" };
	for (size_t i = 0; i < 4; i++) {
		feed_all(r, restarts[i], strlen(restarts[i]), &rs);
		assert_one_packet(&rs, "g", 1);
		recs_free(&rs);
	}
	gdb_reader_destroy(r);
}
END_TEST

START_TEST(test_frame_oversized)
{
	struct gdb_reader *r = reader_new();
	struct recs rs = { 0 };
	size_t max = GDB_PACKET_MAX;
	uint8_t *payload = malloc(max + 2);
	char *pkt = malloc(max + 16);
	memset(payload, 'x', max + 2);

	/* Exactly GDB_PACKET_MAX: accepted. */
	size_t n = raw_packet(pkt, payload, max);
	feed_all(r, pkt, n, &rs);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_int_eq(rs.r[0].kind, GDB_EV_PACKET);
	ck_assert_uint_eq(rs.r[0].len, max);
	recs_free(&rs);

	/* One more: read to its end, reported, and the next one is fine. */
	n = raw_packet(pkt, payload, max + 1);
	feed_all(r, pkt, n, &rs);
	feed_all(r, "$g#67", 5, &rs);
	ck_assert_uint_eq(rs.n, 2);
	ck_assert_int_eq(rs.r[0].kind, GDB_EV_INVALID);
	ck_assert_int_eq(rs.r[1].kind, GDB_EV_PACKET);
	recs_free(&rs);

	/* A short packet whose run lengths expand past the limit. */
	size_t k = 0;
	for (size_t g = 0; g < max / 98 + 2; g++, k += 3)
		memcpy(pkt + 1 + k, "a*~", 3);
	uint8_t sum = 0;
	pkt[0] = '$';
	for (size_t i = 0; i < k; i++)
		sum += (uint8_t)pkt[1 + i];
	sprintf(pkt + 1 + k, "#%02x", sum);
	feed_all(r, pkt, k + 4, &rs);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_int_eq(rs.r[0].kind, GDB_EV_INVALID);
	recs_free(&rs);

	/* A packet that never ends holds no memory beyond the reader. */
	feed_all(r, "$", 1, &rs);
	for (int i = 0; i < 4; i++)
		feed_all(r, payload, max, &rs);
	ck_assert_uint_eq(rs.n, 0);
	feed_all(r, "#00$g#67", 8, &rs);
	ck_assert_uint_eq(rs.n, 2);
	ck_assert_int_eq(rs.r[1].kind, GDB_EV_PACKET);
	recs_free(&rs);
	free(payload);
	free(pkt);
	gdb_reader_destroy(r);
}
END_TEST

/* ---------------------------------------------------------------- encoding */

START_TEST(test_encode_exact)
{
	struct gdb_buf b;
	gdb_buf_init(&b);
	ck_assert_str_eq(frame_str(&b, "OK", 2), "$OK#9a");
	ck_assert_str_eq(frame_str(&b, "", 0), "$#00");
	/* Every special byte escaped. */
	ck_assert_str_eq(frame_str(&b, "a$#}*", 5), "$a}\x04}\x03}]}\x0a#c3");
	/* Runs of four or more: "0* " is four zeros; three stay literal. */
	ck_assert_str_eq(frame_str(&b, "0000", 4), "$0* #7a");
	ck_assert_str_eq(frame_str(&b, "000", 3), "$000#90");
	/* 7 zeros: 6 more would be '#': use 5 ('"') then a literal. */
	ck_assert_str_eq(frame_str(&b, "0000000", 7), "$0*\"0#ac");
	/* 8 zeros: 7 more would be '$', 6 '#': 5 then two literals. */
	ck_assert_str_eq(frame_str(&b, "00000000", 8), "$0*\"00#dc");
	gdb_buf_free(&b);
}
END_TEST

/* Random payloads, heavy in runs and special bytes, survive framing and
 * the reader in random chunks; the framed body holds no bare '$' or '#'. */
START_TEST(test_encode_roundtrip)
{
	struct gdb_reader *r = reader_new();
	struct gdb_buf b;
	gdb_buf_init(&b);
	static uint8_t payload[GDB_PACKET_MAX];
	srand(12345);
	for (int iter = 0; iter < 300; iter++) {
		size_t len = (size_t)rand() % (iter < 250 ? 600 : GDB_PACKET_MAX);
		for (size_t i = 0; i < len;) {
			static const uint8_t special[] = { '$', '#', '}', '*',
							   0, 0x03, '+', '-' };
			uint8_t c = rand() % 3 ? (uint8_t)rand()
					       : special[rand() % 8];
			size_t run = rand() % 4 ? 1 : (size_t)rand() % 300;
			for (size_t j = 0; j < run && i < len; j++)
				payload[i++] = c;
		}
		gdb_buf_reset(&b);
		ck_assert_int_eq(gdb_frame_packet(&b, payload, len), 0);
		ck_assert_int_eq(b.data[0], '$');
		ck_assert_int_eq(b.data[b.len - 3], '#');
		for (size_t i = 1; i < b.len - 3; i++)
			ck_assert(b.data[i] != '$' && b.data[i] != '#');

		size_t sizes[4] = { 1 + (size_t)rand() % 7,
				    1 + (size_t)rand() % 300, 1, 4096 };
		struct recs rs = { 0 };
		feed_chunks(r, b.data, b.len, sizes, 4, &rs);
		assert_one_packet(&rs, payload, len);
		recs_free(&rs);
	}
	/* Long runs compress. */
	memset(payload, 'z', 10000);
	gdb_buf_reset(&b);
	gdb_frame_packet(&b, payload, 10000);
	ck_assert_uint_lt(b.len, 400);
	gdb_buf_free(&b);
	gdb_reader_destroy(r);
}
END_TEST

START_TEST(test_encode_runs_every_length)
{
	struct gdb_reader *r = reader_new();
	struct gdb_buf b;
	gdb_buf_init(&b);
	uint8_t payload[300];
	for (size_t len = 1; len <= sizeof(payload); len++) {
		memset(payload, 'q', len);
		gdb_buf_reset(&b);
		gdb_frame_packet(&b, payload, len);
		struct recs rs = { 0 };
		feed_all(r, b.data, b.len, &rs);
		assert_one_packet(&rs, payload, len);
		recs_free(&rs);
	}
	gdb_buf_free(&b);
	gdb_reader_destroy(r);
}
END_TEST

START_TEST(test_hex)
{
	struct gdb_buf b;
	gdb_buf_init(&b);
	gdb_buf_append_hex(&b, "\x00\x7f\xab\xff", 4);
	gdb_buf_append_char(&b, ' ');
	gdb_buf_append_hexnum(&b, 0);
	gdb_buf_append_char(&b, ' ');
	gdb_buf_append_hexnum(&b, 0xdeadbeef);
	gdb_buf_append_char(&b, ' ');
	gdb_buf_append_hexnum(&b, UINT64_MAX);
	gdb_buf_append_char(&b, ' ');
	gdb_buf_append_le(&b, 0x401136, 8);
	gdb_buf_append_char(&b, ' ');
	gdb_buf_append_le(&b, 0x246, 4);
	gdb_buf_append_char(&b, 0);
	ck_assert_int_eq(b.err, 0);
	ck_assert_str_eq((char *)b.data, "007fabff 0 deadbeef ffffffffffffffff "
					 "3611400000000000 46020000");
	ck_assert_int_eq(gdb_buf_append_le(&b, 1, 9), -EINVAL);
	gdb_buf_free(&b);

	uint8_t out[4];
	ck_assert_int_eq(gdb_hex_decode("007fABff", 8, out, 4), 4);
	ck_assert(memcmp(out, "\x00\x7f\xab\xff", 4) == 0);
	ck_assert_int_eq(gdb_hex_decode("", 0, out, 0), 0);
	ck_assert_int_eq(gdb_hex_decode("abc", 3, out, 4), -EINVAL);
	ck_assert_int_eq(gdb_hex_decode("0g", 2, out, 4), -EINVAL);
	ck_assert_int_eq(gdb_hex_decode("0011223344", 10, out, 4), -ENOSPC);

	/* Thread ids. */
	struct gdb_thread_id ids[] = { { 1, 1 }, { 0, 0x1f }, { -1, -1 },
				       { 0x4d2, -1 }, { 0, 0 } };
	const char *want[] = { "p1.1", "1f", "p-1.-1", "p4d2.-1", "0" };
	for (int i = 0; i < 5; i++) {
		gdb_buf_init(&b);
		gdb_buf_append_thread(&b, &ids[i]);
		gdb_buf_append_char(&b, 0);
		ck_assert_str_eq((char *)b.data, want[i]);
		gdb_buf_free(&b);
	}
}
END_TEST

START_TEST(test_buf_limits)
{
	struct gdb_buf b;
	gdb_buf_init(&b);
	static uint8_t big[GDB_PACKET_MAX];
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(gdb_buf_append(&b, big, sizeof(big)), 0);
	ck_assert_int_eq(gdb_buf_append(&b, "x", 1), -E2BIG);
	/* Sticky until reset. */
	ck_assert_int_eq(gdb_buf_append_str(&b, ""), -E2BIG);
	ck_assert_uint_eq(b.len, GDB_BUF_MAX);
	gdb_buf_reset(&b);
	ck_assert_int_eq(gdb_buf_append_str(&b, "ok"), 0);
	ck_assert_uint_eq(b.len, 2);
	/* Too large to frame even in an empty buffer. */
	gdb_buf_reset(&b);
	static uint8_t huge[GDB_BUF_MAX];
	ck_assert_int_eq(gdb_frame_packet(&b, huge, sizeof(huge)), -E2BIG);
	gdb_buf_free(&b);
}
END_TEST

/* ---------------------------------------------------------------- requests */

/* One valid sample of every kind, so that no table entry shadows another
 * and every kind can be produced. */
static const struct {
	const char *payload;
	enum gdb_req_kind kind;
} samples[] = {
	{ "?", GDB_REQ_HALT_REASON },
	{ "g", GDB_REQ_READ_REGS },
	{ "G0011", GDB_REQ_WRITE_REGS },
	{ "p10", GDB_REQ_READ_REG },
	{ "P10=1122", GDB_REQ_WRITE_REG },
	{ "m401000,40", GDB_REQ_READ_MEM },
	{ "M401000,2:abcd", GDB_REQ_WRITE_MEM },
	{ "X401000,0:", GDB_REQ_WRITE_MEM },
	{ "Z0,401000,1", GDB_REQ_INSERT_POINT },
	{ "z0,401000,1", GDB_REQ_REMOVE_POINT },
	{ "c", GDB_REQ_CONTINUE },
	{ "C05", GDB_REQ_CONTINUE },
	{ "s", GDB_REQ_STEP },
	{ "S05", GDB_REQ_STEP },
	{ "vCont?", GDB_REQ_VCONT_QUERY },
	{ "vCont;c", GDB_REQ_VCONT },
	{ "bc", GDB_REQ_BACK_CONTINUE },
	{ "bs", GDB_REQ_BACK_STEP },
	{ "Hg0", GDB_REQ_SET_THREAD },
	{ "Tp1.1", GDB_REQ_THREAD_ALIVE },
	{ "qThreadExtraInfo,p1.1", GDB_REQ_THREAD_EXTRA },
	{ "k", GDB_REQ_KILL },
	{ "vKill;1", GDB_REQ_VKILL },
	{ "D", GDB_REQ_DETACH },
	{ "D;1", GDB_REQ_DETACH },
	{ "qSupported", GDB_REQ_SUPPORTED },
	{ "qSupported:swbreak+", GDB_REQ_SUPPORTED },
	{ "qAttached", GDB_REQ_ATTACHED },
	{ "qAttached:1", GDB_REQ_ATTACHED },
	{ "qC", GDB_REQ_CURRENT_THREAD },
	{ "qfThreadInfo", GDB_REQ_THREADS_FIRST },
	{ "qsThreadInfo", GDB_REQ_THREADS_NEXT },
	{ "qOffsets", GDB_REQ_OFFSETS },
	{ "qSymbol::", GDB_REQ_SYMBOL },
	{ "qTStatus", GDB_REQ_TRACE_STATUS },
	{ "qXfer:features:read:target.xml:0,ffb", GDB_REQ_XFER_READ },
	{ "qRcmd,68656c70", GDB_REQ_MONITOR },
	{ "QStartNoAckMode", GDB_REQ_START_NOACK },
	{ "QNonStop:0", GDB_REQ_NON_STOP },
	{ "QThreadEvents:1", GDB_REQ_THREAD_EVENTS },
	{ "QPassSignals:e;14", GDB_REQ_PASS_SIGNALS },
	{ "QProgramSignals:2", GDB_REQ_PROGRAM_SIGNALS },
	{ "QDisableRandomization:1", GDB_REQ_DISABLE_ASLR },
	{ "QEnvironmentHexEncoded:413d31", GDB_REQ_SET_OTHER },
	{ "QEnvironmentUnset:41", GDB_REQ_SET_OTHER },
	{ "QEnvironmentReset", GDB_REQ_SET_OTHER },
	{ "QSetWorkingDir:2f746d70", GDB_REQ_SET_OTHER },
	{ "QStartupWithShell:1", GDB_REQ_SET_OTHER },
	{ "vFile:open:2f62696e2f6c73,0,0", GDB_REQ_FILE_OPEN },
	{ "vFile:pread:5,3fff,0", GDB_REQ_FILE_PREAD },
	{ "vFile:close:5", GDB_REQ_FILE_CLOSE },
	{ "vFile:fstat:5", GDB_REQ_FILE_FSTAT },
	{ "vFile:setfs:0", GDB_REQ_FILE_SETFS },
	{ "vFile:readlink:2f70726f632f73656c662f657865", GDB_REQ_FILE_READLINK },
	{ "vMustReplyEmpty", GDB_REQ_MUST_REPLY_EMPTY },
	{ "!", GDB_REQ_EXTENDED },
	{ "R00", GDB_REQ_RESTART },
	{ "R", GDB_REQ_RESTART },
	/* Known to other stubs or other clients, not to us. */
	{ "", GDB_REQ_UNKNOWN },
	{ "qHostInfo", GDB_REQ_UNKNOWN },
	{ "qProcessInfo", GDB_REQ_UNKNOWN },
	{ "qCRC:401000,10", GDB_REQ_UNKNOWN },
	{ "qSupportedX", GDB_REQ_UNKNOWN },
	{ "gg", GDB_REQ_UNKNOWN },
	{ "b", GDB_REQ_UNKNOWN },
	{ "bt", GDB_REQ_UNKNOWN },
	{ "vRun;2f62696e", GDB_REQ_UNKNOWN },
	{ "vContX", GDB_REQ_UNKNOWN },
	{ "vFile:unlink:2f", GDB_REQ_UNKNOWN },
	{ "vCtrlC", GDB_REQ_UNKNOWN },
	{ "QFooBar:1", GDB_REQ_UNKNOWN },
	{ "qXfer:features:write:target.xml:0:abc", GDB_REQ_UNKNOWN },
	{ "Z5,401000,1", GDB_REQ_UNKNOWN },
	{ "Dx", GDB_REQ_UNKNOWN },
	{ "kk", GDB_REQ_UNKNOWN },
};

START_TEST(test_request_every_kind)
{
	bool seen[GDB_REQ_KIND_COUNT] = { false };
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		assert_kind(samples[i].payload, samples[i].kind);
		seen[samples[i].kind] = true;
	}
	seen[GDB_REQ_MALFORMED] = true;	/* test_request_malformed */
	for (int k = 0; k < GDB_REQ_KIND_COUNT; k++) {
		ck_assert_msg(seen[k], "no sample for kind %d", k);
		ck_assert_str_ne(gdb_req_kind_name(k), "?");
	}
	ck_assert_str_eq(gdb_req_kind_name(GDB_REQ_READ_MEM), "read_mem");
	ck_assert_str_eq(gdb_req_kind_name(GDB_REQ_KIND_COUNT), "?");
}
END_TEST

START_TEST(test_request_malformed)
{
	static const char *const bad[] = {
		/* registers */
		"G", "Gabc", "G0g", "p", "px", "p10000", "p10,", "P10", "P10=",
		"P10=abc", "Px=00", "p1 ",
		/* memory */
		"m", "m401000", "m401000,", "m,10", "mx,1", "m401000,1,",
		"m10000000000000000,1",		/* 17 digits: overflow */
		"m0,10000000000000000",
		"m0,8201",			/* > GDB_MEM_READ_MAX */
		"mffffffffffffffff,2",		/* wraps */
		"M401000,2:abc", "M401000,2:abcdef", "M401000,2", "M401000,2:zz00",
		"X401000,3:ab", "X401000,1", "X401000,1:ab",
		/* break and watchpoints */
		"Z0", "Z0,", "Z0,401000", "Z0,401000,", "Zx,1,1", "z1,g,1",
		"Z0,401000,1x",
		/* resume */
		"cx", "c401000;", "C", "Cxyz", "C100", "C05;", "C05;x", "S05x",
		"s 1",
		/* vCont */
		"vCont;", "vCont;x", "vCont;c:", "vCont;c;", "vCont;C",
		"vCont;Cx", "vCont;r1000", "vCont;r1000,", "vCont;c:p1.",
		"vCont;c:pz", "vCont;cc", "vCont;c:1:2",
		/* threads */
		"H", "Hg", "Hx1", "Hgp", "Hgp1.", "Hg-2", "Hg-",
		"Hg8000000000000000", "Hgp1.2.3", "T", "Tx", "T-1x",
		"qThreadExtraInfo,",
		/* processes */
		"D;", "D;x", "D;1;2", "vKill;", "qAttached:", "qAttached:x",
		/* queries */
		"qSymbol:", "qSymbol:x:", "qSymbol:1", "qSymbol::6", "qSymbol::zz",
		"qXfer:", "qXfer::read:x:0,1", "qXfer:auxv", "qXfer:auxv:read",
		"qXfer:auxv:read:", "qXfer:auxv:read::", "qXfer:auxv:read::0",
		"qXfer:auxv:read::0,", "qXfer:auxv:read::0,1,",
		"qRcmd,6", "qRcmd,zz", "qRcmd,00", "qRcmd,6800",
		/* sets */
		"QNonStop:", "QNonStop:2", "QThreadEvents:x", "QPassSignals:100",
		"QPassSignals:1;;2", "QPassSignals:x", "QDisableRandomization:",
		/* host I/O */
		"vFile:open:", "vFile:open:2f,0", "vFile:open:2f,0,", "vFile:open:2,0,0",
		"vFile:open:2f00,0,0", "vFile:pread:5,1", "vFile:pread:x,1,0",
		"vFile:pread:80000000,1,0", "vFile:close:", "vFile:fstat:-1",
		"vFile:setfs:", "vFile:readlink:7", "Rx",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_malformed(bad[i]);
	/* Longer than any packet the reader accepts. */
	static char big[GDB_PACKET_MAX + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[0] = 'm';
	ck_assert_int_eq(gdb_parse_request(big, sizeof(big) - 1, &req), -EINVAL);
	ck_assert_int_eq(req.kind, GDB_REQ_MALFORMED);
	/* Embedded NUL: "qSupported" then junk is not qSupported. */
	ck_assert_int_eq(gdb_parse_request("qC\0", 3, &req), -ENOSYS);
	ck_assert_int_eq(gdb_parse_request("m0,1\0", 5, &req), -EINVAL);
}
END_TEST

START_TEST(test_request_registers)
{
	assert_kind("p10", GDB_REQ_READ_REG);
	ck_assert_uint_eq(req.reg.regnum, 16);
	assert_kind("pffff", GDB_REQ_READ_REG);
	ck_assert_uint_eq(req.reg.regnum, 0xffff);

	assert_kind("P7=00e0ffffff7f0000", GDB_REQ_WRITE_REG);
	ck_assert_uint_eq(req.reg.regnum, 7);
	ck_assert_uint_eq(req.reg.len, 8);
	ck_assert(memcmp(req.reg.data, "\x00\xe0\xff\xff\xff\x7f\x00\x00", 8) == 0);

	/* A full G packet, as gdb would send it back after a g. */
	char g[1 + 2 * GDB_AMD64_REGS_SIZE + 1];
	g[0] = 'G';
	for (int i = 0; i < GDB_AMD64_REGS_SIZE; i++)
		sprintf(g + 1 + 2 * i, "%02X", i & 0xff);
	assert_kind(g, GDB_REQ_WRITE_REGS);
	ck_assert_uint_eq(req.reg.len, GDB_AMD64_REGS_SIZE);
	for (int i = 0; i < GDB_AMD64_REGS_SIZE; i++)
		ck_assert_uint_eq(req.reg.data[i], i & 0xff);
}
END_TEST

START_TEST(test_request_memory)
{
	assert_kind("m7ffff7dd1000,200", GDB_REQ_READ_MEM);
	ck_assert_uint_eq(req.mem.addr, 0x7ffff7dd1000);
	ck_assert_uint_eq(req.mem.len, 0x200);
	assert_kind("m0000000000000000000000401000,0", GDB_REQ_READ_MEM);
	ck_assert_uint_eq(req.mem.addr, 0x401000);	/* leading zeros */
	ck_assert_uint_eq(req.mem.len, 0);
	assert_kind("mffffffffffffffff,1", GDB_REQ_READ_MEM);
	ck_assert_uint_eq(req.mem.addr, UINT64_MAX);
	char m[64];
	snprintf(m, sizeof(m), "m0,%x", GDB_MEM_READ_MAX);
	assert_kind(m, GDB_REQ_READ_MEM);

	assert_kind("M601040,4:DEADbeef", GDB_REQ_WRITE_MEM);
	ck_assert_uint_eq(req.mem.addr, 0x601040);
	ck_assert_uint_eq(req.mem.len, 4);
	ck_assert(memcmp(req.mem.data, "\xde\xad\xbe\xef", 4) == 0);

	/* X data is binary (the reader has unescaped it): NUL, ':' and ','
	 * are data. */
	const char x[] = "X601040,5:\0:,}\xff";
	ck_assert_int_eq(gdb_parse_request(x, sizeof(x) - 1, &req), 0);
	ck_assert_int_eq(req.kind, GDB_REQ_WRITE_MEM);
	ck_assert_uint_eq(req.mem.len, 5);
	ck_assert(memcmp(req.mem.data, "\0:,}\xff", 5) == 0);
	/* The data points into the payload: no copy. */
	ck_assert_ptr_eq(req.mem.data, (const uint8_t *)x + 10);

	/* The same through the reader, escaped by our own encoder. */
	struct gdb_buf b;
	gdb_buf_init(&b);
	gdb_frame_packet(&b, x, sizeof(x) - 1);
	struct gdb_reader *r = reader_new();
	struct gdb_event ev;
	ck_assert_uint_eq(gdb_reader_feed(r, b.data, b.len, &ev), b.len);
	ck_assert_int_eq(ev.kind, GDB_EV_PACKET);
	ck_assert_int_eq(gdb_parse_request(ev.data, ev.len, &req), 0);
	ck_assert(memcmp(req.mem.data, "\0:,}\xff", 5) == 0);
	gdb_reader_destroy(r);
	gdb_buf_free(&b);
}
END_TEST

START_TEST(test_request_points_resume)
{
	assert_kind("Z0,401136,1", GDB_REQ_INSERT_POINT);
	ck_assert_uint_eq(req.point.type, GDB_POINT_SW);
	ck_assert_uint_eq(req.point.addr, 0x401136);
	ck_assert_uint_eq(req.point.kind, 1);
	ck_assert(!req.point.has_cond);
	assert_kind("z2,601040,8", GDB_REQ_REMOVE_POINT);
	ck_assert_uint_eq(req.point.type, GDB_POINT_WRITE);
	ck_assert_uint_eq(req.point.kind, 8);
	assert_kind("Z4,601040,4", GDB_REQ_INSERT_POINT);
	ck_assert_uint_eq(req.point.type, GDB_POINT_ACCESS);
	assert_kind("Z0,401136,1;X3,220027;cmds:0,X4,11223344", GDB_REQ_INSERT_POINT);
	ck_assert(req.point.has_cond);
	ck_assert_uint_eq(req.point.addr, 0x401136);

	assert_kind("c", GDB_REQ_CONTINUE);
	ck_assert(!req.resume.has_addr && !req.resume.has_signal);
	assert_kind("c401136", GDB_REQ_CONTINUE);
	ck_assert(req.resume.has_addr);
	ck_assert_uint_eq(req.resume.addr, 0x401136);
	assert_kind("s", GDB_REQ_STEP);
	assert_kind("C0b", GDB_REQ_CONTINUE);
	ck_assert(req.resume.has_signal && !req.resume.has_addr);
	ck_assert_uint_eq(req.resume.signo, 11);
	assert_kind("S05;401136", GDB_REQ_STEP);
	ck_assert(req.resume.has_signal && req.resume.has_addr);
	ck_assert_uint_eq(req.resume.signo, 5);
	ck_assert_uint_eq(req.resume.addr, 0x401136);
}
END_TEST

START_TEST(test_request_threads)
{
	assert_kind("Hgp1.2", GDB_REQ_SET_THREAD);
	ck_assert_int_eq(req.thread.op, 'g');
	ck_assert_int_eq(req.thread.id.pid, 1);
	ck_assert_int_eq(req.thread.id.tid, 2);
	assert_kind("Hc-1", GDB_REQ_SET_THREAD);
	ck_assert_int_eq(req.thread.op, 'c');
	ck_assert_int_eq(req.thread.id.pid, 0);
	ck_assert_int_eq(req.thread.id.tid, GDB_ID_ALL);
	assert_kind("Hg0", GDB_REQ_SET_THREAD);
	ck_assert_int_eq(req.thread.id.tid, GDB_ID_ANY);
	assert_kind("Hgp-1.-1", GDB_REQ_SET_THREAD);
	ck_assert_int_eq(req.thread.id.pid, GDB_ID_ALL);
	ck_assert_int_eq(req.thread.id.tid, GDB_ID_ALL);
	assert_kind("Hgp4d2", GDB_REQ_SET_THREAD);	/* ppid = ppid.-1 */
	ck_assert_int_eq(req.thread.id.pid, 0x4d2);
	ck_assert_int_eq(req.thread.id.tid, GDB_ID_ALL);
	assert_kind("Hs7fffffffffffffff", GDB_REQ_SET_THREAD);
	ck_assert_int_eq(req.thread.id.tid, INT64_MAX);
	assert_kind("Tp1f.20", GDB_REQ_THREAD_ALIVE);
	ck_assert_int_eq(req.thread.id.pid, 0x1f);
	ck_assert_int_eq(req.thread.id.tid, 0x20);
	assert_kind("T1", GDB_REQ_THREAD_ALIVE);
	ck_assert_int_eq(req.thread.id.tid, 1);
	assert_kind("qThreadExtraInfo,p5.6", GDB_REQ_THREAD_EXTRA);
	ck_assert_int_eq(req.thread.id.tid, 6);
}
END_TEST

START_TEST(test_request_vcont)
{
	assert_kind("vCont;s:p1.1;c", GDB_REQ_VCONT);
	ck_assert_uint_eq(req.vcont.count, 2);
	ck_assert_int_eq(req.vcont.action[0].action, 's');
	ck_assert(req.vcont.action[0].has_thread);
	ck_assert_int_eq(req.vcont.action[0].thread.pid, 1);
	ck_assert_int_eq(req.vcont.action[0].thread.tid, 1);
	ck_assert_int_eq(req.vcont.action[1].action, 'c');
	ck_assert(!req.vcont.action[1].has_thread);

	assert_kind("vCont;C0b:2;r401000,401020:p1.-1;S05;t:p-1.-1",
		    GDB_REQ_VCONT);
	ck_assert_uint_eq(req.vcont.count, 4);
	ck_assert_int_eq(req.vcont.action[0].action, 'C');
	ck_assert_uint_eq(req.vcont.action[0].signo, 11);
	ck_assert_int_eq(req.vcont.action[0].thread.pid, 0);
	ck_assert_int_eq(req.vcont.action[0].thread.tid, 2);
	ck_assert_int_eq(req.vcont.action[1].action, 'r');
	ck_assert_uint_eq(req.vcont.action[1].start, 0x401000);
	ck_assert_uint_eq(req.vcont.action[1].end, 0x401020);
	ck_assert_int_eq(req.vcont.action[1].thread.tid, GDB_ID_ALL);
	ck_assert_int_eq(req.vcont.action[2].action, 'S');
	ck_assert_uint_eq(req.vcont.action[2].signo, 5);
	ck_assert(!req.vcont.action[2].has_thread);
	ck_assert_int_eq(req.vcont.action[3].action, 't');
	ck_assert_int_eq(req.vcont.action[3].thread.pid, GDB_ID_ALL);

	/* Exactly GDB_VCONT_MAX actions parse; one more does not. */
	char buf[512] = "vCont";
	for (int i = 0; i < GDB_VCONT_MAX; i++)
		strcat(buf, ";s:p1.1");
	assert_kind(buf, GDB_REQ_VCONT);
	ck_assert_uint_eq(req.vcont.count, GDB_VCONT_MAX);
	strcat(buf, ";c");
	assert_malformed(buf);
}
END_TEST

START_TEST(test_request_queries)
{
	assert_kind("qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;"
		    "fork-events+;vfork-events-;exec-events+;vContSupported+;"
		    "QThreadEvents+;no-resumed+;memory-tagging+;"
		    "xmlRegisters=i386;;odd",
		    GDB_REQ_SUPPORTED);
	ck_assert_uint_eq(req.supported.features,
			  GDB_FEAT_MULTIPROCESS | GDB_FEAT_SWBREAK |
			  GDB_FEAT_HWBREAK | GDB_FEAT_FORK_EVENTS |
			  GDB_FEAT_EXEC_EVENTS | GDB_FEAT_VCONT_SUPPORTED |
			  GDB_FEAT_THREAD_EVENTS | GDB_FEAT_NO_RESUMED |
			  GDB_FEAT_XML_REGISTERS);
	assert_kind("qSupported", GDB_REQ_SUPPORTED);
	ck_assert_uint_eq(req.supported.features, 0);

	assert_kind("qXfer:features:read:target.xml:0,ffb", GDB_REQ_XFER_READ);
	ck_assert_str_eq(req.xfer.object, "features");
	ck_assert_str_eq(req.xfer.annex, "target.xml");
	ck_assert_uint_eq(req.xfer.offset, 0);
	ck_assert_uint_eq(req.xfer.length, 0xffb);
	assert_kind("qXfer:auxv:read::1a0,fff", GDB_REQ_XFER_READ);
	ck_assert_str_eq(req.xfer.object, "auxv");
	ck_assert_str_eq(req.xfer.annex, "");
	ck_assert_uint_eq(req.xfer.offset, 0x1a0);
	assert_kind("qXfer:exec-file:read:4d2:0,ffb", GDB_REQ_XFER_READ);
	ck_assert_str_eq(req.xfer.object, "exec-file");
	ck_assert_str_eq(req.xfer.annex, "4d2");
	assert_kind("qXfer:libraries-svr4:read:start=0;prev=1:0,fff",
		    GDB_REQ_XFER_READ);
	ck_assert_str_eq(req.xfer.annex, "start=0;prev=1");
	ck_assert_int_eq(gdb_parse_request("qXfer:a\0b:read::0,1", 19, &req),
			 -EINVAL);

	assert_kind("qRcmd,68656c70", GDB_REQ_MONITOR);
	ck_assert_str_eq(req.text.text, "help");
	ck_assert_uint_eq(req.text.len, 4);
	assert_kind("qRcmd,77686572652031323334", GDB_REQ_MONITOR);
	ck_assert_str_eq(req.text.text, "where 1234");
	assert_kind("qRcmd,", GDB_REQ_MONITOR);
	ck_assert_str_eq(req.text.text, "");

	assert_kind("qSymbol::", GDB_REQ_SYMBOL);
	ck_assert(!req.symbol.has_value);
	ck_assert_str_eq(req.symbol.name, "");
	assert_kind("qSymbol:401136:6d61696e", GDB_REQ_SYMBOL);
	ck_assert(req.symbol.has_value);
	ck_assert_uint_eq(req.symbol.value, 0x401136);
	ck_assert_str_eq(req.symbol.name, "main");
	assert_kind("qSymbol::6d61696e", GDB_REQ_SYMBOL);
	ck_assert(!req.symbol.has_value);
	ck_assert_str_eq(req.symbol.name, "main");

	assert_kind("qAttached", GDB_REQ_ATTACHED);
	ck_assert(!req.process.has_pid);
	assert_kind("qAttached:4d2", GDB_REQ_ATTACHED);
	ck_assert(req.process.has_pid);
	ck_assert_int_eq(req.process.pid, 0x4d2);
	assert_kind("D;1f", GDB_REQ_DETACH);
	ck_assert_int_eq(req.process.pid, 0x1f);
	assert_kind("vKill;2a", GDB_REQ_VKILL);
	ck_assert_int_eq(req.process.pid, 0x2a);
	assert_kind("R0f", GDB_REQ_RESTART);
	ck_assert_uint_eq(req.value, 0xf);
}
END_TEST

START_TEST(test_request_sets)
{
	assert_kind("QNonStop:1", GDB_REQ_NON_STOP);
	ck_assert_uint_eq(req.value, 1);
	assert_kind("QThreadEvents:0", GDB_REQ_THREAD_EVENTS);
	ck_assert_uint_eq(req.value, 0);
	assert_kind("QDisableRandomization:1", GDB_REQ_DISABLE_ASLR);
	ck_assert_uint_eq(req.value, 1);

	assert_kind("QPassSignals:e;14;17;1a;1b;1c;21;24;25;2c;4c;97",
		    GDB_REQ_PASS_SIGNALS);
	ck_assert_uint_eq(req.signals.set[0],
			  1ULL << 0xe | 1ULL << 0x14 | 1ULL << 0x17 |
			  1ULL << 0x1a | 1ULL << 0x1b | 1ULL << 0x1c |
			  1ULL << 0x21 | 1ULL << 0x24 | 1ULL << 0x25 |
			  1ULL << 0x2c);
	ck_assert_uint_eq(req.signals.set[1], 1ULL << (0x4c - 64));
	ck_assert_uint_eq(req.signals.set[2], 1ULL << (0x97 - 128));
	ck_assert_uint_eq(req.signals.set[3], 0);
	assert_kind("QPassSignals:", GDB_REQ_PASS_SIGNALS);
	ck_assert_uint_eq(req.signals.set[0] | req.signals.set[1], 0);
	assert_kind("QProgramSignals:ff;", GDB_REQ_PROGRAM_SIGNALS);
	ck_assert_uint_eq(req.signals.set[3], 1ULL << 63);

	assert_kind("QEnvironmentHexEncoded:413d31", GDB_REQ_SET_OTHER);
	ck_assert_str_eq(req.text.text, "QEnvironmentHexEncoded");
	assert_kind("QEnvironmentReset", GDB_REQ_SET_OTHER);
	ck_assert_str_eq(req.text.text, "QEnvironmentReset");
}
END_TEST

START_TEST(test_request_files)
{
	assert_kind("vFile:open:2f62696e2f6c73,241,1a4", GDB_REQ_FILE_OPEN);
	ck_assert_str_eq(req.file.path, "/bin/ls");
	ck_assert_uint_eq(req.file.path_len, 7);
	ck_assert_uint_eq(req.file.flags, 0x241);
	ck_assert_uint_eq(req.file.mode, 0x1a4);
	assert_kind("vFile:pread:5,3fff,1000", GDB_REQ_FILE_PREAD);
	ck_assert_int_eq(req.file.fd, 5);
	ck_assert_uint_eq(req.file.count, 0x3fff);
	ck_assert_uint_eq(req.file.offset, 0x1000);
	assert_kind("vFile:close:7", GDB_REQ_FILE_CLOSE);
	ck_assert_int_eq(req.file.fd, 7);
	assert_kind("vFile:fstat:7fffffff", GDB_REQ_FILE_FSTAT);
	ck_assert_int_eq(req.file.fd, INT32_MAX);
	assert_kind("vFile:setfs:4d2", GDB_REQ_FILE_SETFS);
	ck_assert_int_eq(req.file.pid, 0x4d2);
	assert_kind("vFile:readlink:2f70726f632f73656c662f657865",
		    GDB_REQ_FILE_READLINK);
	ck_assert_str_eq(req.file.path, "/proc/self/exe");
}
END_TEST

/* ---------------------------------------------------------------- replies */

static const char *reply_text(struct gdb_buf *b)
{
	gdb_buf_append_char(b, 0);
	b->len--;
	ck_assert_int_eq(b->err, 0);
	return (const char *)b->data;
}

START_TEST(test_reply_stop)
{
	struct gdb_buf b;
	gdb_buf_init(&b);
	struct gdb_stop st = {
		.signo = 5,
		.reason = GDB_STOP_SWBREAK,
		.has_thread = true,
		.thread = { 1, 1 },
		.nregs = 3,
		.reg = { { 6, 8, 0x7fffffffe0d0 }, { 7, 8, 0x7fffffffe0c0 },
			 { 16, 8, 0x401136 } },
	};
	ck_assert_int_eq(gdb_reply_stop(&b, &st), 0);
	ck_assert_str_eq(reply_text(&b),
			 "T05thread:p1.1;06:d0e0ffffff7f0000;"
			 "07:c0e0ffffff7f0000;10:3611400000000000;swbreak:;");

	struct gdb_stop w = { .signo = 5, .reason = GDB_STOP_WATCH,
			      .addr = 0x601040 };
	gdb_buf_reset(&b);
	gdb_reply_stop(&b, &w);
	ck_assert_str_eq(reply_text(&b), "T05watch:601040;");
	w.reason = GDB_STOP_RWATCH;
	gdb_buf_reset(&b);
	gdb_reply_stop(&b, &w);
	ck_assert_str_eq(reply_text(&b), "T05rwatch:601040;");
	w.reason = GDB_STOP_AWATCH;
	gdb_buf_reset(&b);
	gdb_reply_stop(&b, &w);
	ck_assert_str_eq(reply_text(&b), "T05awatch:601040;");

	struct gdb_stop e = { .signo = 5, .reason = GDB_STOP_REPLAY_BEGIN,
			      .has_thread = true, .thread = { 0x4d2, 0x4d2 } };
	gdb_buf_reset(&b);
	gdb_reply_stop(&b, &e);
	ck_assert_str_eq(reply_text(&b), "T05thread:p4d2.4d2;replaylog:begin;");
	e.reason = GDB_STOP_REPLAY_END;
	e.has_thread = false;
	gdb_buf_reset(&b);
	gdb_reply_stop(&b, &e);
	ck_assert_str_eq(reply_text(&b), "T05replaylog:end;");
	e.reason = GDB_STOP_HWBREAK;
	gdb_buf_reset(&b);
	gdb_reply_stop(&b, &e);
	ck_assert_str_eq(reply_text(&b), "T05hwbreak:;");
	struct gdb_stop s = { .signo = 11 };
	gdb_buf_reset(&b);
	gdb_reply_stop(&b, &s);
	ck_assert_str_eq(reply_text(&b), "T0b");

	s.nregs = GDB_STOP_MAX_REGS + 1;
	ck_assert_int_eq(gdb_reply_stop(&b, &s), -EINVAL);
	s.nregs = 1;
	s.reg[0].size = 9;
	ck_assert_int_eq(gdb_reply_stop(&b, &s), -EINVAL);

	gdb_buf_reset(&b);
	gdb_reply_exited(&b, 0, 0x4d2);
	gdb_buf_append_char(&b, ' ');
	gdb_reply_exited(&b, 3, 0);
	gdb_buf_append_char(&b, ' ');
	gdb_reply_killed(&b, 9, 1);
	gdb_buf_append_char(&b, ' ');
	gdb_reply_signal(&b, 2);
	gdb_buf_append_char(&b, ' ');
	gdb_reply_error(&b, 1);
	gdb_buf_append_char(&b, ' ');
	gdb_reply_error(&b, 0xff);
	gdb_buf_append_char(&b, ' ');
	gdb_reply_ok(&b);
	ck_assert_str_eq(reply_text(&b),
			 "W00;process:4d2 W03 X09;process:1 S02 E01 Eff OK");
	gdb_buf_free(&b);
}
END_TEST

START_TEST(test_reply_misc)
{
	struct gdb_buf b;
	gdb_buf_init(&b);
	gdb_reply_supported(&b, "qXfer:features:read+;swbreak+");
	char want[128];
	snprintf(want, sizeof(want),
		 "PacketSize=%x;qXfer:features:read+;swbreak+", GDB_PACKET_MAX);
	ck_assert_str_eq(reply_text(&b), want);
	gdb_buf_reset(&b);
	gdb_reply_supported(&b, NULL);
	snprintf(want, sizeof(want), "PacketSize=%x", GDB_PACKET_MAX);
	ck_assert_str_eq(reply_text(&b), want);

	/* Console output: hex, split to fit a packet. */
	gdb_buf_reset(&b);
	ck_assert_int_eq(gdb_reply_console(&b, "hi\n", 3), 3);
	ck_assert_str_eq(reply_text(&b), "O68690a");
	static char text[GDB_PACKET_MAX];
	memset(text, 'a', sizeof(text));
	gdb_buf_reset(&b);
	int used = gdb_reply_console(&b, text, sizeof(text));
	ck_assert_int_eq(used, (GDB_PACKET_MAX - 1) / 2);
	ck_assert_uint_le(b.len, GDB_PACKET_MAX);

	/* Host I/O. */
	gdb_buf_reset(&b);
	gdb_reply_file(&b, 5, 0, NULL, 0);
	gdb_buf_append_char(&b, ' ');
	gdb_reply_file(&b, -1, GDB_FILEIO_ENOENT, NULL, 0);
	gdb_buf_append_char(&b, ' ');
	gdb_reply_file(&b, 3, 0, "a$b", 3);
	ck_assert_str_eq(reply_text(&b), "F5 F-1,2 F3;a$b");
	/* ... with the '$' escaped once framed. */
	struct gdb_buf f;
	gdb_buf_init(&f);
	gdb_buf_reset(&b);
	gdb_reply_file(&b, 3, 0, "a$b", 3);
	gdb_frame_packet(&f, b.data, b.len);
	gdb_buf_append_char(&f, 0);
	ck_assert(strstr((char *)f.data, "F3;a}\x04" "b#") != NULL);
	gdb_buf_free(&f);

	ck_assert_int_eq(gdb_fileio_errno(ENOENT), 2);
	ck_assert_int_eq(gdb_fileio_errno(EACCES), 13);
	ck_assert_int_eq(gdb_fileio_errno(ENAMETOOLONG), 91);
	ck_assert_int_eq(gdb_fileio_errno(ENOSYS), GDB_FILEIO_ENOSYS);
	ck_assert_int_eq(gdb_fileio_errno(ELOOP), GDB_FILEIO_EUNKNOWN);
	int fl;
	ck_assert_int_eq(gdb_fileio_open_flags(0, &fl), 0);
	ck_assert_int_eq(fl, O_RDONLY);
	ck_assert_int_eq(gdb_fileio_open_flags(0x602, &fl), 0);
	ck_assert_int_eq(fl, O_RDWR | O_CREAT | O_TRUNC);
	ck_assert_int_eq(gdb_fileio_open_flags(0x809, &fl), 0);
	ck_assert_int_eq(fl, O_WRONLY | O_APPEND | O_EXCL);
	ck_assert_int_eq(gdb_fileio_open_flags(3, &fl), -EINVAL);
	ck_assert_int_eq(gdb_fileio_open_flags(0x10, &fl), -EINVAL);

	struct stat st = { 0 };
	st.st_dev = 0x11223344;
	st.st_mode = 0100755;
	st.st_size = 0x0102030405060708;
	st.st_mtime = 0x5f5e0ff;
	uint8_t enc[GDB_FILEIO_STAT_SIZE];
	gdb_fileio_encode_stat(&st, enc);
	ck_assert(memcmp(enc, "\x11\x22\x33\x44", 4) == 0);
	ck_assert(memcmp(enc + 8, "\x00\x00\x81\xed", 4) == 0);
	ck_assert(memcmp(enc + 28, "\x01\x02\x03\x04\x05\x06\x07\x08", 8) == 0);
	ck_assert(memcmp(enc + 56, "\x05\xf5\xe0\xff", 4) == 0);
	gdb_buf_free(&b);
}
END_TEST

START_TEST(test_reply_xfer)
{
	struct gdb_buf b;
	gdb_buf_init(&b);
	const char *obj = "0123456789";
	gdb_reply_xfer(&b, obj, 10, 0, 4);
	ck_assert_str_eq(reply_text(&b), "m0123");
	gdb_buf_reset(&b);
	gdb_reply_xfer(&b, obj, 10, 4, 6);
	ck_assert_str_eq(reply_text(&b), "l456789");
	gdb_buf_reset(&b);
	gdb_reply_xfer(&b, obj, 10, 8, 0xfff);
	ck_assert_str_eq(reply_text(&b), "l89");
	gdb_buf_reset(&b);
	gdb_reply_xfer(&b, obj, 10, 10, 0xfff);
	ck_assert_str_eq(reply_text(&b), "l");
	gdb_buf_reset(&b);
	gdb_reply_xfer(&b, obj, 10, UINT64_MAX, 1);
	ck_assert_str_eq(reply_text(&b), "l");

	/* Reading the whole target description in gdb-sized pieces
	 * reassembles it exactly, and each framed reply fits PacketSize. */
	const char *doc;
	size_t len;
	ck_assert_int_eq(gdb_find_tdesc("target.xml", &doc, &len), 0);
	struct gdb_reader *r = reader_new();
	struct gdb_buf f, whole;
	gdb_buf_init(&f);
	gdb_buf_init(&whole);
	uint64_t off = 0;
	for (;;) {
		gdb_buf_reset(&b);
		gdb_reply_xfer(&b, doc, len, off, 0x3fb);
		gdb_buf_reset(&f);
		gdb_frame_packet(&f, b.data, b.len);
		struct gdb_event ev;
		ck_assert_uint_eq(gdb_reader_feed(r, f.data, f.len, &ev), f.len);
		ck_assert_int_eq(ev.kind, GDB_EV_PACKET);
		ck_assert_uint_le(ev.len, 1 + 0x3fb);
		gdb_buf_append(&whole, ev.data + 1, ev.len - 1);
		off += ev.len - 1;
		if (ev.data[0] == 'l')
			break;
		ck_assert_int_eq(ev.data[0], 'm');
	}
	ck_assert_uint_eq(whole.len, len);
	ck_assert(memcmp(whole.data, doc, len) == 0);

	/* Escapes count against the packet: an object of '}' bytes gives
	 * half a packet per reply. */
	static uint8_t braces[GDB_PACKET_MAX];
	memset(braces, '}', sizeof(braces));
	gdb_buf_reset(&b);
	gdb_reply_xfer(&b, braces, sizeof(braces), 0, UINT64_MAX);
	ck_assert_int_eq(b.data[0], 'm');
	ck_assert_uint_eq(b.len - 1, (GDB_PACKET_MAX - 1) / 2);
	gdb_buf_reset(&f);
	gdb_frame_packet(&f, b.data, b.len);
	ck_assert_uint_le(f.len, GDB_PACKET_MAX + 4);
	gdb_buf_free(&whole);
	gdb_buf_free(&f);
	gdb_buf_free(&b);
	gdb_reader_destroy(r);
}
END_TEST

/* ---------------------------------------------------------------- amd64 */

/* The value of attribute name in the element starting at el, or "" . */
static void xml_attr(const char *el, const char *name, char *out, size_t cap)
{
	const char *end = strchr(el, '>');
	char key[32];
	snprintf(key, sizeof(key), " %s=\"", name);
	const char *p = strstr(el, key);
	out[0] = 0;
	if (!p || p > end)
		return;
	p += strlen(key);
	const char *q = strchr(p, '"');
	ck_assert_ptr_nonnull(q);
	ck_assert_uint_lt((size_t)(q - p), cap);
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = 0;
}

START_TEST(test_tdesc_agrees_with_table)
{
	const char *doc;
	size_t len;
	ck_assert_int_eq(gdb_find_tdesc("target.xml", &doc, &len), 0);
	ck_assert_uint_eq(strlen(doc), len);
	ck_assert_int_eq(gdb_find_tdesc("64bit-core.xml", &doc, &len), -ENOENT);
	ck_assert_int_eq(gdb_find_tdesc("", &doc, &len), -ENOENT);
	gdb_find_tdesc("target.xml", &doc, &len);

	ck_assert_ptr_nonnull(strstr(doc, "<architecture>i386:x86-64</architecture>"));
	ck_assert_ptr_nonnull(strstr(doc, "<osabi>GNU/Linux</osabi>"));
	ck_assert_ptr_nonnull(strstr(doc, "<flags id=\"i386_eflags\" size=\"4\">"));
	ck_assert_ptr_nonnull(strstr(doc, "<flags id=\"i386_mxcsr\" size=\"4\">"));
	ck_assert_ptr_nonnull(strstr(doc, "<union id=\"vec128\">"));

	/* Walk the <reg> elements in document order, tracking the feature
	 * each sits in: name, size, number, type, group and feature must be
	 * the table's, in the table's order. */
	const struct gdb_reg *regs = gdb_amd64_regs();
	int n = 0, features = 0;
	size_t total = 0;
	char feature[64] = "", v[64];
	for (const char *p = doc; (p = strchr(p, '<')) != NULL; p++) {
		if (strncmp(p, "<feature ", 9) == 0) {
			xml_attr(p, "name", feature, sizeof(feature));
			features++;
			continue;
		}
		if (strncmp(p, "<reg ", 5) != 0)
			continue;
		ck_assert_int_lt(n, GDB_AMD64_NREGS);
		const struct gdb_reg *g = &regs[n];
		xml_attr(p, "name", v, sizeof(v));
		ck_assert_str_eq(v, g->name);
		xml_attr(p, "regnum", v, sizeof(v));
		ck_assert_int_eq(atoi(v), n);
		ck_assert_int_eq(g->regnum, n);
		xml_attr(p, "bitsize", v, sizeof(v));
		ck_assert_int_eq(atoi(v), 8 * g->size);
		xml_attr(p, "type", v, sizeof(v));
		ck_assert_str_eq(v, g->type);
		xml_attr(p, "group", v, sizeof(v));
		ck_assert_str_eq(v, g->group ? g->group : "");
		ck_assert_str_eq(feature, g->feature);
		ck_assert_ptr_eq(gdb_amd64_reg((uint64_t)n), g);
		total += g->size;
		n++;
	}
	ck_assert_int_eq(n, GDB_AMD64_NREGS);
	ck_assert_int_eq(features, 4);
	ck_assert_uint_eq(total, GDB_AMD64_REGS_SIZE);
	ck_assert_ptr_null(gdb_amd64_reg(GDB_AMD64_NREGS));
	ck_assert_ptr_null(gdb_amd64_reg(UINT64_MAX));

	/* The enum names the same registers. */
	static const struct {
		int regnum;
		const char *name;
		int size;
	} spots[] = {
		{ GDB_AMD64_RAX, "rax", 8 }, { GDB_AMD64_RBP, "rbp", 8 },
		{ GDB_AMD64_RSP, "rsp", 8 }, { GDB_AMD64_R15, "r15", 8 },
		{ GDB_AMD64_RIP, "rip", 8 }, { GDB_AMD64_EFLAGS, "eflags", 4 },
		{ GDB_AMD64_CS, "cs", 4 }, { GDB_AMD64_GS, "gs", 4 },
		{ GDB_AMD64_ST0, "st0", 10 }, { GDB_AMD64_ST0 + 7, "st7", 10 },
		{ GDB_AMD64_FCTRL, "fctrl", 4 }, { GDB_AMD64_FOP, "fop", 4 },
		{ GDB_AMD64_XMM0, "xmm0", 16 },
		{ GDB_AMD64_XMM0 + 15, "xmm15", 16 },
		{ GDB_AMD64_MXCSR, "mxcsr", 4 },
		{ GDB_AMD64_ORIG_RAX, "orig_rax", 8 },
		{ GDB_AMD64_FS_BASE, "fs_base", 8 },
		{ GDB_AMD64_GS_BASE, "gs_base", 8 },
	};
	for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
		ck_assert_str_eq(regs[spots[i].regnum].name, spots[i].name);
		ck_assert_int_eq(regs[spots[i].regnum].size, spots[i].size);
	}
	ck_assert_int_eq(GDB_AMD64_RIP, 0x10);
	ck_assert_int_eq(GDB_AMD64_ORIG_RAX, 57);
	ck_assert_int_eq(GDB_AMD64_GS_BASE, 59);

	/* Balanced elements. */
	const char *tags[] = { "feature", "flags", "union", "target" };
	for (int i = 0; i < 4; i++) {
		char open[32], close[32];
		snprintf(open, sizeof(open), "<%s ", tags[i]);
		snprintf(close, sizeof(close), "</%s>", tags[i]);
		int opens = 0, closes = 0;
		for (const char *p = doc; (p = strstr(p, open)); p++)
			opens++;
		for (const char *p = doc; (p = strstr(p, close)); p++)
			closes++;
		ck_assert_int_eq(opens, closes);
		ck_assert_int_gt(opens, 0);
	}
}
END_TEST

/* ---------------------------------------------------------------- suite */

static Suite *gdbpacket_suite(void)
{
	Suite *s = suite_create("gdbpacket");
	TCase *tc = tcase_create("framing");
	tcase_add_test(tc, test_frame_basic);
	tcase_add_test(tc, test_frame_chunked);
	tcase_add_test(tc, test_frame_bad_checksum);
	tcase_add_test(tc, test_frame_escape_rle);
	tcase_add_test(tc, test_frame_interrupt_junk_restart);
	tcase_add_test(tc, test_frame_oversized);
	suite_add_tcase(s, tc);

	tc = tcase_create("encoding");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_encode_exact);
	tcase_add_test(tc, test_encode_roundtrip);
	tcase_add_test(tc, test_encode_runs_every_length);
	tcase_add_test(tc, test_hex);
	tcase_add_test(tc, test_buf_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("requests");
	tcase_add_test(tc, test_request_every_kind);
	tcase_add_test(tc, test_request_malformed);
	tcase_add_test(tc, test_request_registers);
	tcase_add_test(tc, test_request_memory);
	tcase_add_test(tc, test_request_points_resume);
	tcase_add_test(tc, test_request_threads);
	tcase_add_test(tc, test_request_vcont);
	tcase_add_test(tc, test_request_queries);
	tcase_add_test(tc, test_request_sets);
	tcase_add_test(tc, test_request_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("replies");
	tcase_add_test(tc, test_reply_stop);
	tcase_add_test(tc, test_reply_misc);
	tcase_add_test(tc, test_reply_xfer);
	tcase_add_test(tc, test_tdesc_agrees_with_table);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gdbpacket_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
