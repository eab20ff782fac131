/*
 * trace.c - the trace file: LMDB schema, batched commits, verified reads
 * (format in trace.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "trace/le.h"
#include "trace/lmdbcheck.h"
#include "trace/trace.h"

#define BATCH_REC_VERSION	2
#define BATCH_RAW		0
#define BATCH_ZSTD		1
#define BATCH_HDR_SIZE		(1 + 1 + 4 + 8 + SHA256_LEN)
#define BATCH_HASH_OFF		14
#define BATCH_MAX_EVENTS	(1u << 20)	/* bound for hostile records */
/* A batch body is below TRACE_BATCH_BYTES before its last event, and one
 * event encodes to little more than EVENT_MAX_PAYLOAD: a bound for hostile
 * records, checked before allocating. */
#define BATCH_RAW_MAX		(2ULL << 30)
#define BATCH_ZSTD_LEVEL	3
/* A body larger than this holds a large event whose payload event.c has
 * already compressed (or found incompressible): not compressed again. */
#define BATCH_ZSTD_MAX		(4 * TRACE_BATCH_BYTES)
#define BATCH_LEN_MAX		5	/* varint bytes of one event length */
#define BUF_KEEP		(4 * TRACE_BATCH_BYTES)
#define BLOB_REC_VERSION	1
#define BLOB_RAW		0
#define BLOB_ZSTD		1
#define BLOB_ZSTD_LEVEL		3
#define ZSTD_MAX_RATIO		32768	/* see event.c */
#define NO_EVENT		UINT64_MAX

struct trace {
	MDB_env *env;
	MDB_dbi dbi_meta, dbi_batches, dbi_blobs;
	bool readonly;
	bool update;		/* trace_open_update: no new events */
	MDB_txn *txn;		/* write txn (lazy) or the one read txn */
	int err;		/* sticky */
	uint64_t err_event;
	uint64_t count;		/* next sequence number */

	/* writer: the batch being built (body: varint length + encoded
	 * event, per event) */
	uint32_t pending;
	uint64_t batch_start_ns;
	struct event_ctx wctx;
	uint8_t *wbuf;		/* body */
	size_t wlen, wcap;
	uint8_t *cbuf;		/* compressed body */
	size_t ccap;
	ZSTD_CCtx *cctx;

	/* reader: the verified, decompressed batch and the decoding
	 * position in it */
	uint64_t vb_first, vb_count;	/* vb_count 0: none */
	uint8_t *rbuf;
	size_t rlen, rcap;
	ZSTD_DCtx *dctx;
	struct event_ctx rctx;
	uint64_t rctx_next;		/* seq rctx can decode next */
	size_t rpos;			/* where event rctx_next starts */
	bool rctx_valid;
};

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}


static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* LMDB return codes -> ours. */
static int mdb_to_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS: return 0;
	case MDB_MAP_FULL: return TRACE_EFULL;
	case MDB_INVALID: case MDB_VERSION_MISMATCH: return TRACE_ENOTTRACE;
	case MDB_CORRUPTED: case MDB_PAGE_NOTFOUND: case MDB_INCOMPATIBLE:
	case MDB_BAD_VALSIZE: case MDB_NOTFOUND:
		return TRACE_ECORRUPT;
	}
	return rc > 0 ? -rc : TRACE_ELMDB;
}

/* Records a sticky error: corruption on any handle, anything at all while
 * writing (a failed put or commit aborts the batch being built). */
static int fail(struct trace *t, int err, uint64_t seq)
{
	if (!t->err && (trace_err_is_corrupt(err) || !t->readonly)) {
		t->err = err;
		t->err_event = seq;
		if (!t->readonly && t->txn) {
			mdb_txn_abort(t->txn);
			t->txn = NULL;
		}
	}
	return err;
}

int trace_error(const struct trace *t)
{
	return t->err;
}

uint64_t trace_error_event(const struct trace *t)
{
	return t->err_event;
}

/* The transaction reads and writes go through: for a writer, the open
 * write transaction (begun on demand). */
static int txn_get(struct trace *t, MDB_txn **txn)
{
	if (t->err)
		return t->err;
	if (!t->txn) {
		int rc = mdb_txn_begin(t->env, NULL, 0, &t->txn);
		if (rc)
			return fail(t, mdb_to_err(rc), NO_EVENT);
	}
	*txn = t->txn;
	return 0;
}

static void trace_free(struct trace *t)
{
	if (t->txn)
		mdb_txn_abort(t->txn);
	if (t->env)
		mdb_env_close(t->env);
	free(t->wbuf);
	free(t->cbuf);
	free(t->rbuf);
	ZSTD_freeCCtx(t->cctx);
	ZSTD_freeDCtx(t->dctx);
	free(t);
}

static int env_new(struct trace *t, const char *path, unsigned flags,
		   mode_t mode)
{
	int rc = mdb_env_create(&t->env);
	if (!rc && !(flags & MDB_RDONLY))
		rc = mdb_env_set_mapsize(t->env, TRACE_MAP_SIZE);
	if (!rc)
		rc = mdb_env_set_maxdbs(t->env, 8);
	if (!rc)
		rc = mdb_env_open(t->env, path,
				  flags | MDB_NOSUBDIR | MDB_NOLOCK, mode);
	return mdb_to_err(rc);
}

static int batch_header(const MDB_val *k, const MDB_val *d, uint64_t *first,
			uint64_t *count, uint64_t *raw);
static int batch_load(struct trace *t, MDB_txn *txn, uint64_t seq);

/* ---------------------------------------------------------------- create */

int trace_create(const char *path, struct trace **out)
{
	struct trace *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->err_event = NO_EVENT;
	char lock[4096];
	if (snprintf(lock, sizeof(lock), "%s-lock", path) >= (int)sizeof(lock)) {
		free(t);
		return -ENAMETOOLONG;
	}
	if ((unlink(path) < 0 && errno != ENOENT) ||
	    (unlink(lock) < 0 && errno != ENOENT)) {
		int err = -errno;
		free(t);
		return err;
	}
	int err = env_new(t, path, MDB_NOSYNC, 0644);
	if (err)
		goto err_free;
	MDB_txn *txn = NULL;
	int rc = mdb_txn_begin(t->env, NULL, 0, &txn);
	if (!rc)
		rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &t->dbi_meta);
	if (!rc)
		rc = mdb_dbi_open(txn, "batches", MDB_CREATE, &t->dbi_batches);
	if (!rc)
		rc = mdb_dbi_open(txn, "blobs", MDB_CREATE, &t->dbi_blobs);
	if (!rc) {
		char v[16];
		int n = snprintf(v, sizeof(v), "%d", TRACE_FORMAT_VERSION);
		MDB_val k = { 7, "version" }, d = { (size_t)n, v };
		rc = mdb_put(txn, t->dbi_meta, &k, &d, 0);
	}
	if (rc) {
		if (txn)
			mdb_txn_abort(txn);
		err = mdb_to_err(rc);
		goto err_free;
	}
	if ((rc = mdb_txn_commit(txn))) {
		err = mdb_to_err(rc);
		goto err_free;
	}
	*out = t;
	return 0;
err_free:
	trace_free(t);
	return err;
}

/* ---------------------------------------------------------------- open */

static int open_existing(const char *path, bool update, struct trace **out);

int trace_open(const char *path, struct trace **out)
{
	return open_existing(path, false, out);
}

int trace_open_update(const char *path, struct trace **out)
{
	return open_existing(path, true, out);
}

/* Open a trace that exists, read-only or (update) to add meta values and
 * blobs in one write transaction, committed by trace_close. */
static int open_existing(const char *path, bool update, struct trace **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int err = lmdb_check_fd(fd);
	close(fd);
	if (err)
		return err;

	struct trace *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->readonly = !update;
	t->update = update;
	t->err_event = NO_EVENT;
	if ((err = env_new(t, path, update ? MDB_NOSYNC : MDB_RDONLY, 0)))
		goto err_free;
	int rc = mdb_txn_begin(t->env, NULL, update ? 0 : MDB_RDONLY, &t->txn);
	if (rc) {
		err = mdb_to_err(rc);
		goto err_free;
	}
	rc = mdb_dbi_open(t->txn, "meta", 0, &t->dbi_meta);
	if (rc) {
		err = rc == MDB_NOTFOUND ? TRACE_ENOTTRACE : mdb_to_err(rc);
		goto err_free;
	}
	MDB_val k = { 7, "version" }, d;
	rc = mdb_get(t->txn, t->dbi_meta, &k, &d);
	if (rc) {
		err = rc == MDB_NOTFOUND ? TRACE_ENOVERSION : mdb_to_err(rc);
		goto err_free;
	}
	char v[16];
	if (d.mv_size == 0 || d.mv_size >= sizeof(v)) {
		err = TRACE_EVERSION;
		goto err_free;
	}
	memcpy(v, d.mv_data, d.mv_size);
	v[d.mv_size] = 0;
	char *end;
	long ver = strtol(v, &end, 10);
	if (*end || ver != TRACE_FORMAT_VERSION) {
		err = TRACE_EVERSION;
		goto err_free;
	}
	if ((rc = mdb_dbi_open(t->txn, "batches", 0, &t->dbi_batches)) ||
	    (rc = mdb_dbi_open(t->txn, "blobs", 0, &t->dbi_blobs))) {
		err = mdb_to_err(rc);
		goto err_free;
	}

	/* The count is the end of the last batch, which is verified now so
	 * that the count can be trusted. */
	MDB_cursor *cur;
	if ((rc = mdb_cursor_open(t->txn, t->dbi_batches, &cur))) {
		err = mdb_to_err(rc);
		goto err_free;
	}
	rc = mdb_cursor_get(cur, &k, &d, MDB_LAST);
	mdb_cursor_close(cur);
	if (rc == 0) {
		uint64_t first, count;
		if ((err = batch_header(&k, &d, &first, &count, NULL)))
			goto err_free;
		t->count = first + count;
		if ((err = batch_load(t, t->txn, first)))
			goto err_free;
	} else if (rc != MDB_NOTFOUND) {
		err = mdb_to_err(rc);
		goto err_free;
	}
	*out = t;
	return 0;
err_free:
	trace_free(t);
	return err;
}

int trace_close(struct trace *t)
{
	if (!t)
		return 0;
	int err = 0;
	if (!t->readonly) {
		err = trace_commit(t);
		if (!err) {
			int rc = mdb_env_sync(t->env, 1);
			err = mdb_to_err(rc);
		}
	}
	trace_free(t);
	return err;
}

/* ---------------------------------------------------------------- meta */

static int meta_key(const char *key, MDB_val *k)
{
	size_t n = key ? strlen(key) : 0;
	if (n == 0 || n > TRACE_META_KEY_MAX)
		return -EINVAL;
	k->mv_size = n;
	k->mv_data = (void *)key;
	return 0;
}

/* Every meta value but "version" carries a check: the first 8 bytes of
 * SHA-256(key, 0, value), so a damaged value is an error, not a wrong
 * command line.  "version" stays plain text: it says how to read the rest. */
#define META_CHECK_LEN 8

static bool meta_is_version(const MDB_val *k)
{
	return k->mv_size == 7 && !memcmp(k->mv_data, "version", 7);
}

static void meta_check(const MDB_val *k, const void *val, size_t len,
		       uint8_t out[META_CHECK_LEN])
{
	struct sha256 h;
	uint8_t digest[SHA256_LEN], zero = 0;
	sha256_init(&h);
	sha256_update(&h, k->mv_data, k->mv_size);
	sha256_update(&h, &zero, 1);
	sha256_update(&h, val, len);
	sha256_final(&h, digest);
	memcpy(out, digest, META_CHECK_LEN);
}

int trace_meta_put(struct trace *t, const char *key, const void *val,
		   size_t len)
{
	MDB_txn *txn;
	MDB_val k, d = { len, (void *)val };
	int err;
	if (t->readonly)
		return TRACE_EREADONLY;
	if ((err = meta_key(key, &k)) || (err = txn_get(t, &txn)))
		return err;
	int rc;
	if (meta_is_version(&k)) {
		rc = mdb_put(txn, t->dbi_meta, &k, &d, 0);
	} else {
		d.mv_size = META_CHECK_LEN + len;
		rc = mdb_put(txn, t->dbi_meta, &k, &d, MDB_RESERVE);
		if (!rc) {
			meta_check(&k, val, len, d.mv_data);
			if (len)
				memcpy((uint8_t *)d.mv_data + META_CHECK_LEN,
				       val, len);
		}
	}
	return rc ? fail(t, mdb_to_err(rc), NO_EVENT) : 0;
}

int trace_meta_get(struct trace *t, const char *key, void **val,
		   size_t *len)
{
	MDB_txn *txn;
	MDB_val k, d;
	int err;
	if ((err = meta_key(key, &k)) || (err = txn_get(t, &txn)))
		return err;
	int rc = mdb_get(txn, t->dbi_meta, &k, &d);
	if (rc == MDB_NOTFOUND)
		return TRACE_ENOKEY;
	if (rc)
		return fail(t, mdb_to_err(rc), NO_EVENT);
	const uint8_t *p = d.mv_data;
	size_t n = d.mv_size;
	if (!meta_is_version(&k)) {
		uint8_t want[META_CHECK_LEN];
		if (n < META_CHECK_LEN)
			return fail(t, TRACE_ECORRUPT, NO_EVENT);
		meta_check(&k, p + META_CHECK_LEN, n - META_CHECK_LEN, want);
		if (memcmp(want, p, META_CHECK_LEN))
			return fail(t, TRACE_ECORRUPT, NO_EVENT);
		p += META_CHECK_LEN;
		n -= META_CHECK_LEN;
	}
	char *out = malloc(n + 1);
	if (!out)
		return -ENOMEM;
	memcpy(out, p, n);
	out[n] = 0;
	*val = out;
	*len = n;
	return 0;
}

/* ---------------------------------------------------------------- append */

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* Grows *buf to hold need bytes. */
static int buf_reserve(uint8_t **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap < 4096 ? 4096 : *cap;
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : 2 * c;
	uint8_t *b = realloc(*buf, c);
	if (!b)
		return -ENOMEM;
	*buf = b;
	*cap = c;
	return 0;
}

/* Frees a buffer grown for one huge batch instead of keeping it. */
static void buf_trim(uint8_t **buf, size_t *cap)
{
	if (*cap > BUF_KEEP) {
		free(*buf);
		*buf = NULL;
		*cap = 0;
	}
}

/* SHA-256 over what identifies a batch and its body. */
static void batch_digest(uint64_t first, uint64_t count, const uint8_t *body,
			 size_t len, uint8_t out[SHA256_LEN])
{
	struct sha256 h;
	uint8_t hdr[8 + 4 + 8];
	put_be64(hdr, first);
	le_put(hdr + 8, count, 4);
	le_put(hdr + 12, len, 8);
	sha256_init(&h);
	sha256_update(&h, hdr, sizeof(hdr));
	sha256_update(&h, body, len);
	sha256_final(&h, out);
}

int trace_append(struct trace *t, const struct event *ev, uint64_t *seq)
{
	int err;
	if (t->readonly || t->update)
		return TRACE_EREADONLY;
	if (t->err)
		return t->err;
	if (t->pending == 0) {
		t->batch_start_ns = now_ns();
		event_ctx_reset(&t->wctx);
		t->wlen = 0;
	}
	size_t need = event_encoded_bound(ev);
	if (need > BATCH_RAW_MAX - TRACE_BATCH_BYTES - BATCH_LEN_MAX)
		return TRACE_ETOOBIG;
	if ((err = buf_reserve(&t->wbuf, &t->wcap,
			       t->wlen + BATCH_LEN_MAX + need)))
		return err;
	/* Encoded after room for the longest length, then moved down. */
	uint8_t *at = t->wbuf + t->wlen;
	size_t len;
	/* An event the encoder refuses leaves the trace as it was. */
	if ((err = event_encode(ev, &t->wctx, at + BATCH_LEN_MAX, need, &len)))
		return err;
	size_t ll = put_varint(at, len);
	if (ll != BATCH_LEN_MAX)
		memmove(at + ll, at + BATCH_LEN_MAX, len);
	t->wlen += ll + len;
	if (seq)
		*seq = t->count;
	t->count++;
	t->pending++;
	if (t->pending >= TRACE_BATCH_EVENTS ||
	    t->wlen >= TRACE_BATCH_BYTES ||
	    now_ns() - t->batch_start_ns >= TRACE_BATCH_NS)
		return trace_commit(t);
	return 0;
}

/* Puts the pending batch into the write transaction. */
static int batch_put(struct trace *t, MDB_txn *txn)
{
	uint64_t first = t->count - t->pending;
	uint8_t key[8], hdr[BATCH_HDR_SIZE];
	const uint8_t *body = t->wbuf;
	size_t blen = t->wlen;
	int err;

	hdr[0] = BATCH_REC_VERSION;
	hdr[1] = BATCH_RAW;
	le_put(hdr + 2, t->pending, 4);
	le_put(hdr + 6, t->wlen, 8);
	batch_digest(first, t->pending, t->wbuf, t->wlen,
		     hdr + BATCH_HASH_OFF);
	/* Compressed when that pays: the frame must be smaller than the
	 * body, so a buffer of the body's size is enough. */
	if (t->wlen <= BATCH_ZSTD_MAX) {
		if (!t->cctx && !(t->cctx = ZSTD_createCCtx()))
			return -ENOMEM;
		if ((err = buf_reserve(&t->cbuf, &t->ccap, t->wlen)))
			return err;
		size_t n = ZSTD_compressCCtx(t->cctx, t->cbuf, t->wlen,
					     t->wbuf, t->wlen,
					     BATCH_ZSTD_LEVEL);
		if (!ZSTD_isError(n) && n < t->wlen) {
			hdr[1] = BATCH_ZSTD;
			body = t->cbuf;
			blen = n;
		}
	}
	put_be64(key, first);
	MDB_val k = { 8, key }, d = { BATCH_HDR_SIZE + blen, NULL };
	int rc = mdb_put(txn, t->dbi_batches, &k, &d, MDB_APPEND | MDB_RESERVE);
	if (rc)
		return mdb_to_err(rc);
	memcpy(d.mv_data, hdr, BATCH_HDR_SIZE);
	memcpy((uint8_t *)d.mv_data + BATCH_HDR_SIZE, body, blen);
	return 0;
}

void trace_abort(struct trace *t)
{
	if (t && t->update && t->txn) {
		mdb_txn_abort(t->txn);
		t->txn = NULL;
	}
}

int trace_commit(struct trace *t)
{
	MDB_txn *txn;
	int err;
	if (t->readonly)
		return 0;
	if (t->err)
		return t->err;
	if (!t->txn && !t->pending)
		return 0;
	if ((err = txn_get(t, &txn)))
		return err;
	if (t->pending && (err = batch_put(t, txn)))
		return fail(t, err, NO_EVENT);
	int rc = mdb_txn_commit(t->txn);
	t->txn = NULL;	/* committed or, on failure, freed by LMDB */
	if (rc)
		return fail(t, mdb_to_err(rc), NO_EVENT);
	t->pending = 0;
	t->wlen = 0;
	buf_trim(&t->wbuf, &t->wcap);
	buf_trim(&t->cbuf, &t->ccap);
	return 0;
}

uint64_t trace_event_count(const struct trace *t)
{
	return t->count;
}

/* ---------------------------------------------------------------- read */

/* Checks a batch record's key and header (not its body): the batch's first
 * seq and event count, and optionally the stored body's size. */
static int batch_header(const MDB_val *k, const MDB_val *d, uint64_t *first,
			uint64_t *count, uint64_t *raw)
{
	if (k->mv_size != 8 || d->mv_size < BATCH_HDR_SIZE)
		return TRACE_EBATCH;
	const uint8_t *p = d->mv_data;
	*first = get_be64(k->mv_data);
	*count = le_get(p + 2, 4);
	uint64_t r = le_get(p + 6, 8);
	if (p[0] != BATCH_REC_VERSION || p[1] > BATCH_ZSTD || *count == 0 ||
	    *count > BATCH_MAX_EVENTS || *first > UINT64_MAX - *count ||
	    r > BATCH_RAW_MAX || r < 2 * *count)
		return TRACE_EBATCH;
	if (raw)
		*raw = r;
	return 0;
}

/* Reads a varint of at most BATCH_LEN_MAX bytes from p[0..end). */
static const uint8_t *get_len(const uint8_t *p, const uint8_t *end,
			      uint64_t *v)
{
	*v = 0;
	for (unsigned i = 0; i < BATCH_LEN_MAX && p < end; i++) {
		uint8_t b = *p++;
		*v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return p;
	}
	return NULL;
}

/* Finds the batch holding seq, checks its header, its place right after
 * the previous batch, decompresses its body (bounded by the header), checks
 * the body against the SHA-256 and checks that it frames exactly count
 * events.  Only then does the batch become the cached one. */
static int batch_load(struct trace *t, MDB_txn *txn, uint64_t seq)
{
	MDB_cursor *bc = NULL;
	uint8_t key[8], digest[SHA256_LEN];
	MDB_val k = { 8, key }, d;
	uint64_t first, count, raw;
	int err = TRACE_EBATCH;

	t->vb_count = 0;
	t->rctx_valid = false;
	put_be64(key, seq);
	int rc = mdb_cursor_open(txn, t->dbi_batches, &bc);
	if (rc)
		return fail(t, mdb_to_err(rc), seq);
	/* The batch with the greatest first seq <= seq. */
	rc = mdb_cursor_get(bc, &k, &d, MDB_SET_RANGE);
	if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size != 8 ||
					       get_be64(k.mv_data) != seq)))
		rc = mdb_cursor_get(bc, &k, &d,
				    rc == MDB_NOTFOUND ? MDB_LAST : MDB_PREV);
	if (rc) {
		err = rc == MDB_NOTFOUND ? TRACE_EBATCH : mdb_to_err(rc);
		goto err_close;
	}
	if ((err = batch_header(&k, &d, &first, &count, &raw)))
		goto err_close;
	err = TRACE_EBATCH;
	if (first > seq || seq - first >= count || first + count > t->count)
		goto err_close;
	const uint8_t *rec = d.mv_data;
	const uint8_t *stored = rec + BATCH_HDR_SIZE;
	size_t slen = d.mv_size - BATCH_HDR_SIZE;
	uint8_t method = rec[1];
	uint8_t want[SHA256_LEN];
	memcpy(want, rec + BATCH_HASH_OFF, SHA256_LEN);

	/* The previous batch must end just before this one. */
	MDB_val pk, pd;
	rc = mdb_cursor_get(bc, &pk, &pd, MDB_PREV);
	if (rc == MDB_NOTFOUND) {
		if (first != 0)
			goto err_close;
	} else if (rc) {
		err = mdb_to_err(rc);
		goto err_close;
	} else {
		uint64_t pfirst, pcount;
		if (batch_header(&pk, &pd, &pfirst, &pcount, NULL) ||
		    pfirst + pcount != first)
			goto err_close;
	}

	/* The body, within the bounds the header states. */
	if (method == BATCH_RAW) {
		if (slen != raw)
			goto err_close;
	} else if (slen == 0 || raw > (uint64_t)slen * ZSTD_MAX_RATIO ||
		   ZSTD_getFrameContentSize(stored, slen) != raw) {
		goto err_close;
	}
	if ((err = buf_reserve(&t->rbuf, &t->rcap, raw)))
		goto err_close;
	err = TRACE_EBATCH;
	if (method == BATCH_RAW) {
		memcpy(t->rbuf, stored, raw);
	} else {
		if (!t->dctx && !(t->dctx = ZSTD_createDCtx())) {
			err = -ENOMEM;
			goto err_close;
		}
		size_t n = ZSTD_decompressDCtx(t->dctx, t->rbuf, raw, stored,
					       slen);
		if (ZSTD_isError(n) || n != raw)
			goto err_close;
	}
	batch_digest(first, count, t->rbuf, raw, digest);
	if (memcmp(digest, want, SHA256_LEN))
		goto err_close;
	/* The body frames exactly count events. */
	const uint8_t *p = t->rbuf, *end = p + raw;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t len;
		if (!(p = get_len(p, end, &len)) || len == 0 ||
		    len > (uint64_t)(end - p))
			goto err_close;
		p += len;
	}
	if (p != end)
		goto err_close;
	mdb_cursor_close(bc);
	t->rlen = raw;
	t->vb_first = first;
	t->vb_count = count;
	return 0;
err_close:
	mdb_cursor_close(bc);
	buf_trim(&t->rbuf, &t->rcap);
	if (err == -ENOMEM)
		return err;
	return fail(t, err, seq);
}

/* The next framed event of the cached batch, at t->rpos. */
static void batch_next(struct trace *t, const uint8_t **rec, size_t *len)
{
	const uint8_t *p = t->rbuf + t->rpos, *end = t->rbuf + t->rlen;
	uint64_t l;
	p = get_len(p, end, &l);	/* checked by batch_load */
	*rec = p;
	*len = (size_t)l;
	t->rpos = (size_t)(p + l - t->rbuf);
}

int trace_read_event(struct trace *t, uint64_t seq, struct event *ev)
{
	MDB_txn *txn;
	const uint8_t *rec;
	size_t len;
	int err;

	memset(ev, 0, sizeof(*ev));
	/* (a recorder's batch is written before it is read; an update's
	 * one transaction stays open) */
	if (!t->readonly && !t->update && (err = trace_commit(t)))
		return err;
	if ((err = txn_get(t, &txn)))
		return err;
	if (seq >= t->count)
		return TRACE_ENOEVENT;
	if (!t->vb_count || seq < t->vb_first ||
	    seq - t->vb_first >= t->vb_count) {
		if ((err = batch_load(t, txn, seq)))
			return err;
	}
	if (!t->rctx_valid || t->rctx_next > seq) {
		event_ctx_reset(&t->rctx);
		t->rctx_next = t->vb_first;
		t->rpos = 0;
		t->rctx_valid = true;
	}
	for (; t->rctx_next < seq; t->rctx_next++) {
		uint64_t icount;
		batch_next(t, &rec, &len);
		err = event_decode_skip(rec, len, &t->rctx, &icount);
		if (err) {
			t->rctx_valid = false;
			return fail(t, err, t->rctx_next);
		}
	}
	batch_next(t, &rec, &len);
	err = event_decode(rec, len, &t->rctx, ev);
	if (err) {
		t->rctx_valid = false;
		return err == -ENOMEM ? err : fail(t, err, seq);
	}
	t->rctx_next = seq + 1;
	return 0;
}

/* ---------------------------------------------------------------- stats */

int trace_stats(struct trace *t, struct trace_stats *out)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, d;
	int err, rc;

	memset(out, 0, sizeof(*out));
	/* (a recorder's batch is written before it is read; an update's
	 * one transaction stays open) */
	if (!t->readonly && !t->update && (err = trace_commit(t)))
		return err;
	if ((err = txn_get(t, &txn)))
		return err;
	out->events = t->count;
	if ((rc = mdb_cursor_open(txn, t->dbi_batches, &cur)))
		return fail(t, mdb_to_err(rc), NO_EVENT);
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		uint64_t first, count, raw;
		if ((err = batch_header(&k, &d, &first, &count, &raw))) {
			mdb_cursor_close(cur);
			return fail(t, err, NO_EVENT);
		}
		out->batches++;
		out->encoded_bytes += raw;
		out->stored_bytes += d.mv_size;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return fail(t, mdb_to_err(rc), NO_EVENT);
	if ((rc = mdb_cursor_open(txn, t->dbi_blobs, &cur)))
		return fail(t, mdb_to_err(rc), NO_EVENT);
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		/* The content length as the record states it (unverified:
		 * only trace_blob_get checks a blob). */
		const uint8_t *p = d.mv_data;
		uint64_t raw = 0;
		for (size_t i = 2; i < d.mv_size && i < 2 + 5; i++) {
			raw |= (uint64_t)(p[i] & 0x7f) << (7 * (i - 2));
			if (!(p[i] & 0x80))
				break;
		}
		out->blobs++;
		out->blob_bytes += raw;
		out->blob_stored_bytes += d.mv_size;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return fail(t, mdb_to_err(rc), NO_EVENT);
	return 0;
}

/* ---------------------------------------------------------------- blobs */

int trace_blob_put(struct trace *t, const void *data, size_t len,
		   uint8_t hash_out[SHA256_LEN])
{
	MDB_txn *txn;
	int err;
	if (t->readonly)
		return TRACE_EREADONLY;
	if (len > TRACE_BLOB_MAX)
		return TRACE_ETOOBIG;
	if ((err = txn_get(t, &txn)))
		return err;
	sha256(data, len, hash_out);
	MDB_val k = { SHA256_LEN, hash_out }, d;
	int rc = mdb_get(txn, t->dbi_blobs, &k, &d);
	if (rc == 0)
		return 0;
	if (rc != MDB_NOTFOUND)
		return fail(t, mdb_to_err(rc), NO_EVENT);

	size_t bound = ZSTD_compressBound(len);
	uint8_t *rec = malloc(12 + (bound > len ? bound : len));
	if (!rec)
		return -ENOMEM;
	size_t h = 2 + put_varint(rec + 2, len);
	rec[0] = BLOB_REC_VERSION;
	rec[1] = BLOB_ZSTD;
	size_t n = len ? ZSTD_compress(rec + h, bound, data, len,
				       BLOB_ZSTD_LEVEL) : 0;
	if (ZSTD_isError(n)) {
		free(rec);
		return TRACE_ECOMPRESS;
	}
	if (n >= len) {	/* does not pay */
		rec[1] = BLOB_RAW;
		if (len)
			memcpy(rec + h, data, len);
		n = len;
	}
	d.mv_size = h + n;
	d.mv_data = rec;
	rc = mdb_put(txn, t->dbi_blobs, &k, &d, 0);
	free(rec);
	return rc ? fail(t, mdb_to_err(rc), NO_EVENT) : 0;
}

/* The stored record of blob hash in *d: 0, TRACE_ENOBLOB, or an error. */
static int blob_lookup(struct trace *t, const uint8_t hash[SHA256_LEN],
		       MDB_val *d)
{
	MDB_txn *txn;
	int err;
	if ((err = txn_get(t, &txn)))
		return err;
	MDB_val k = { SHA256_LEN, (void *)hash };
	int rc = mdb_get(txn, t->dbi_blobs, &k, d);
	if (rc == MDB_NOTFOUND)
		return TRACE_ENOBLOB;
	return rc ? fail(t, mdb_to_err(rc), NO_EVENT) : 0;
}

int trace_blob_has(struct trace *t, const uint8_t hash[SHA256_LEN])
{
	MDB_val d;
	int err = blob_lookup(t, hash, &d);
	return err == TRACE_ENOBLOB ? 0 : err < 0 ? err : 1;
}

int trace_blob_get(struct trace *t, const uint8_t hash[SHA256_LEN],
		   void **data, size_t *len)
{
	MDB_val d;
	int err = blob_lookup(t, hash, &d);
	if (err)
		return err;

	const uint8_t *p = d.mv_data, *end = p + d.mv_size;
	if (d.mv_size < 3 || p[0] != BLOB_REC_VERSION || p[1] > BLOB_ZSTD)
		return fail(t, TRACE_EBADBLOB, NO_EVENT);
	unsigned method = p[1];
	p += 2;
	uint64_t raw = 0;
	for (unsigned shift = 0;; shift += 7) {
		if (p >= end || shift > 28)	/* raw <= TRACE_BLOB_MAX */
			return fail(t, TRACE_EBADBLOB, NO_EVENT);
		uint8_t b = *p++;
		raw |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
	}
	size_t csize = (size_t)(end - p);
	if (raw > TRACE_BLOB_MAX ||
	    (method == BLOB_RAW && csize != raw) ||
	    (method == BLOB_ZSTD &&
	     (csize == 0 || raw > (uint64_t)csize * ZSTD_MAX_RATIO ||
	      ZSTD_getFrameContentSize(p, csize) != raw)))
		return fail(t, TRACE_EBADBLOB, NO_EVENT);
	uint8_t *out = malloc(raw ? raw : 1);
	if (!out)
		return -ENOMEM;
	if (method == BLOB_RAW) {
		memcpy(out, p, raw);
	} else {
		size_t n = ZSTD_decompress(out, raw, p, csize);
		if (ZSTD_isError(n) || n != raw) {
			free(out);
			return fail(t, TRACE_EBADBLOB, NO_EVENT);
		}
	}
	uint8_t got[SHA256_LEN];
	sha256(out, raw, got);
	if (memcmp(got, hash, SHA256_LEN)) {
		free(out);
		return fail(t, TRACE_EBADBLOB, NO_EVENT);
	}
	*data = out;
	*len = raw;
	return 0;
}
