/*
 * fuzz_gdbpacket.c - libFuzzer target for the gdb packet layer
 * (src/gdbstub/packet.c).
 *
 * The input is used twice.  First as a byte stream from gdb: it goes
 * through one reader in chunks whose sizes come from the input itself (a
 * small generator seeded by its first bytes), and every packet the reader
 * produces is parsed.  Then the whole input is parsed directly as one
 * payload.  ASan/UBSan catch bad reads, overflows and leaks; we abort on
 * contract violations the sanitizers cannot see:
 *   - the reader consuming nothing, more than it was given, or stopping
 *     early without an event; a packet longer than GDB_PACKET_MAX or not
 *     NUL-terminated; an error event without a reason;
 *   - chunked reading disagreeing with reading the stream in one piece;
 *   - a parse whose return code and kind disagree, a malformed request
 *     without a reason, a kind out of range, or fields outside their
 *     documented bounds (vCont count, memory ranges, lengths of decoded
 *     data, strings with NULs);
 *   - a packet payload that does not survive gdb_frame_packet and the
 *     reader unchanged.
 *
 *   make fuzz-gdbpacket FUZZ_SECONDS=600     (tests/fuzz/fuzz.mk)
 *
 * With FUZZ_GDBPACKET_SEEDS=DIR in the environment the binary writes a
 * seed corpus (framed packets of every kind, acks, interrupts, escapes and
 * run lengths) into DIR and exits.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdbstub/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_gdbpacket: %s\n", what);
		abort();
	}
}

/* Kept between runs: a reader and a request are large. */
static struct gdb_reader *reader, *whole_reader, *echo_reader;
static struct gdb_request req;
static struct gdb_buf framed;

static void check_request(const uint8_t *payload, size_t len, int err)
{
	check((unsigned)req.kind < GDB_REQ_KIND_COUNT, "kind out of range");
	if (req.kind == GDB_REQ_MALFORMED) {
		check(err == -EINVAL, "malformed without -EINVAL");
		check(req.reason && req.reason[0], "malformed without reason");
		return;
	}
	if (req.kind == GDB_REQ_UNKNOWN) {
		check(err == -ENOSYS, "unknown without -ENOSYS");
		return;
	}
	check(err == 0, "known request with an error");
	const uint8_t *lo = payload, *hi = payload + len;
	const uint8_t *blo = req.buf, *bhi = req.buf + sizeof(req.buf);
	switch (req.kind) {
	case GDB_REQ_READ_MEM:
		check(req.mem.len <= GDB_MEM_READ_MAX, "m length unbounded");
		/* fall through */
	case GDB_REQ_WRITE_MEM:
		check(!req.mem.len || req.mem.addr + (req.mem.len - 1) >=
					      req.mem.addr,
		      "memory range wraps");
		if (req.kind == GDB_REQ_WRITE_MEM) {
			const uint8_t *d = req.mem.data;
			check(req.mem.len <= len, "write longer than packet");
			check((d >= lo && d + req.mem.len <= hi) ||
			      (d >= blo && d + req.mem.len <= bhi),
			      "write data outside payload and buffer");
		}
		break;
	case GDB_REQ_WRITE_REGS:
	case GDB_REQ_WRITE_REG:
		check(req.reg.len >= 1 && req.reg.len <= len / 2,
		      "register data length");
		check(req.reg.data >= blo && req.reg.data + req.reg.len <= bhi,
		      "register data outside buffer");
		break;
	case GDB_REQ_READ_REG:
		check(req.reg.regnum <= 0xffff, "register number");
		break;
	case GDB_REQ_VCONT:
		check(req.vcont.count >= 1 && req.vcont.count <= GDB_VCONT_MAX,
		      "vCont count");
		for (unsigned i = 0; i < req.vcont.count; i++)
			check(strchr("csCSrt", req.vcont.action[i].action) &&
			      req.vcont.action[i].action,
			      "vCont action");
		break;
	case GDB_REQ_XFER_READ:
		check(strlen(req.xfer.object) > 0 &&
		      strlen(req.xfer.object) < len, "xfer object");
		check(strlen(req.xfer.annex) < len, "xfer annex");
		break;
	case GDB_REQ_MONITOR:
		check(strlen(req.text.text) == req.text.len, "monitor text");
		break;
	case GDB_REQ_FILE_OPEN:
	case GDB_REQ_FILE_READLINK:
		check(strlen(req.file.path) == req.file.path_len, "file path");
		break;
	case GDB_REQ_SYMBOL:
		check(strlen(req.symbol.name) == req.symbol.name_len,
		      "symbol name");
		break;
	case GDB_REQ_SET_THREAD:
		check(strchr("gcs", req.thread.op) && req.thread.op,
		      "H operation");
		/* fall through */
	case GDB_REQ_THREAD_ALIVE:
	case GDB_REQ_THREAD_EXTRA:
		check(req.thread.id.tid >= -1 && req.thread.id.pid >= -1,
		      "thread id");
		break;
	default:
		break;
	}
}

static void parse_payload(const uint8_t *payload, size_t len)
{
	int err = gdb_parse_request(payload, len, &req);
	check_request(payload, len, err);
}

/* Frames payload with our encoder and reads it back. */
static void check_echo(const uint8_t *payload, size_t len)
{
	gdb_buf_reset(&framed);
	check(gdb_frame_packet(&framed, payload, len) == 0, "frame");
	struct gdb_event ev;
	gdb_reader_reset(echo_reader);
	size_t used = gdb_reader_feed(echo_reader, framed.data, framed.len,
				      &ev);
	check(used == framed.len && ev.kind == GDB_EV_PACKET &&
	      ev.len == len && !memcmp(ev.data, payload, len),
	      "payload does not survive framing");
}

struct summary {
	size_t events;
	uint32_t hash;		/* of kinds, lengths and payload bytes */
};

static void summary_add(struct summary *s, const struct gdb_event *ev)
{
	s->events++;
	s->hash = s->hash * 31 + (uint32_t)ev->kind;
	s->hash = s->hash * 31 + (uint32_t)ev->len;
	for (size_t i = 0; ev->data && i < ev->len; i++)
		s->hash = s->hash * 31 + ev->data[i];
}

/* Feeds in[0..len) in chunks from a generator seeded by seed (0: one
 * piece), handling every event. */
static void read_stream(struct gdb_reader *r, const uint8_t *in, size_t len,
			uint32_t seed, bool parse, struct summary *s)
{
	uint32_t x = seed | 1;
	while (len > 0) {
		size_t chunk = len;
		if (seed) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			chunk = 1 + x % (x & 0x100 ? 7 : 300);
			if (chunk > len)
				chunk = len;
		}
		const uint8_t *p = in;
		size_t left = chunk;
		while (left > 0) {
			struct gdb_event ev;
			size_t used = gdb_reader_feed(r, p, left, &ev);
			check(used >= 1 && used <= left, "feed consumed badly");
			check(ev.kind != GDB_EV_NONE || used == left,
			      "feed stopped without an event");
			p += used;
			left -= used;
			if (ev.kind == GDB_EV_NONE)
				continue;
			summary_add(s, &ev);
			if (ev.kind == GDB_EV_BAD_CHECKSUM ||
			    ev.kind == GDB_EV_INVALID)
				check(ev.reason != NULL, "error without reason");
			if (ev.kind != GDB_EV_PACKET)
				continue;
			check(ev.len <= GDB_PACKET_MAX, "packet too long");
			check(ev.data[ev.len] == 0, "packet not terminated");
			if (parse) {
				parse_payload(ev.data, ev.len);
				check_echo(ev.data, ev.len);
			}
		}
		in += chunk;
		len -= chunk;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!reader) {
		check(gdb_reader_create(&reader) == 0 &&
		      gdb_reader_create(&whole_reader) == 0 &&
		      gdb_reader_create(&echo_reader) == 0, "reader");
		gdb_buf_init(&framed);
	}
	uint32_t seed = 0x9e3779b9;
	for (size_t i = 0; i < size && i < 4; i++)
		seed = seed * 251 + data[i];

	struct summary chunked = { 0 }, whole = { 0 };
	gdb_reader_reset(reader);
	gdb_reader_reset(whole_reader);
	read_stream(reader, data, size, seed, true, &chunked);
	read_stream(whole_reader, data, size, 0, false, &whole);
	check(chunked.events == whole.events && chunked.hash == whole.hash,
	      "chunked and whole reads disagree");

	parse_payload(data, size);
	return 0;
}

/* ---------------------------------------------------------------- seeds */

static const char *const seed_payloads[] = {
	"qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;"
	"fork-events+;vfork-events+;exec-events+;vContSupported+;"
	"QThreadEvents+;no-resumed+;memory-tagging+;xmlRegisters=i386",
	"vMustReplyEmpty", "QStartNoAckMode", "Hgp0.0", "Hc-1", "?", "g",
	"qXfer:features:read:target.xml:0,ffb", "qXfer:auxv:read::0,ffb",
	"qXfer:exec-file:read:4d2:0,ffb", "qAttached:4d2", "qC",
	"qfThreadInfo", "qsThreadInfo", "qOffsets", "qSymbol::",
	"qSymbol:401136:6d61696e", "qTStatus", "QNonStop:0",
	"QThreadEvents:1", "QDisableRandomization:1",
	"QPassSignals:e;14;17;1a;1b;1c;21;24;25;2c;4c;97",
	"QProgramSignals:0;1;3;4;6;7;8;9;a;b;c;d;e;f;10",
	"QEnvironmentHexEncoded:413d31", "QSetWorkingDir:2f746d70",
	"p10", "P10=3611400000000000", "m401136,40", "M601040,4:deadbeef",
	"Z0,401136,1", "z0,401136,1", "Z2,601040,4;X3,220027", "c",
	"c401136", "C0b", "s", "S05;401136", "vCont?",
	"vCont;s:p1.1;c", "vCont;r401000,401020:p1.1;t:p1.2",
	"bc", "bs", "Tp1.1", "qThreadExtraInfo,p1.1", "k", "vKill;4d2",
	"D", "D;4d2", "!", "R00", "qRcmd,68656c70",
	"vFile:setfs:0", "vFile:open:2f62696e2f6c73,0,0",
	"vFile:pread:5,3fff,0", "vFile:fstat:5", "vFile:close:5",
	"vFile:readlink:2f70726f632f73656c662f657865", "qHostInfo",
};

static void seed_write(const char *dir, const char *name, const void *data,
		       size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	check(f && fwrite(data, 1, len, f) == len && fclose(f) == 0,
	      "cannot write a seed");
}

static void seeds_write(const char *dir)
{
	struct gdb_buf all, one;
	gdb_buf_init(&all);
	gdb_buf_init(&one);
	char name[64];
	size_t n = sizeof(seed_payloads) / sizeof(seed_payloads[0]);
	for (size_t i = 0; i < n; i++) {
		gdb_buf_reset(&one);
		gdb_buf_append_char(&one, '+');
		gdb_frame_packet(&one, seed_payloads[i],
				 strlen(seed_payloads[i]));
		snprintf(name, sizeof(name), "seed-%02zu", i);
		seed_write(dir, name, one.data, one.len);
		gdb_buf_append(&all, one.data, one.len);
	}
	/* Binary X data with every byte value, escaped and run-length
	 * encoded by our framer; then an interrupt and a bad checksum. */
	uint8_t x[12 + 0x140];
	memcpy(x, "X601040,140:", 12);
	for (int i = 0; i < 256; i++)
		x[12 + i] = (uint8_t)i;
	memset(x + 12 + 256, 0, 64);
	gdb_frame_packet(&all, x, sizeof(x));
	gdb_buf_append_str(&all, "\x03$g#00-%Stop:T05#00$0* #7a");
	seed_write(dir, "seed-all", all.data, all.len);
	gdb_buf_free(&all);
	gdb_buf_free(&one);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_GDBPACKET_SEEDS");
	if (dir) {
		seeds_write(dir);
		exit(0);
	}
	return 0;
}
