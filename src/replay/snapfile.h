/*
 * snapfile.h - snapshots as bytes, for the snapshot index a trace can
 * carry (`rewind index`).
 *
 * Owns: the encoding of one snapshot as a record: the moment (icount,
 * journal position), the cpu (registers and the FXSAVE image), the
 * process state the replay depends on, the mappings, and the pages that
 * differ from the previous record, each named by the SHA-256 of its
 * contents (the contents go to the trace's blobs, once per distinct
 * page).  Records are decoded as hostile input: every count and length is
 * bounded and every field checked before a snapshot is built from it.
 *
 * Does not own: where records and pages are stored (the caller passes
 * the functions), when snapshots exist (session.c).
 */
#ifndef REWIND_REPLAY_SNAPFILE_H
#define REWIND_REPLAY_SNAPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "replay/snapshot.h"

#define SNAPFILE_VERSION 1

/* Store a page's PAGESTORE_PAGE bytes under its SHA-256 (hash, computed
 * by the caller); 0 or a negative code. */
typedef int (*snapfile_put_fn)(void *ctx, const void *data,
			       const uint8_t hash[32]);
/* Fetch the page named hash into out (PAGESTORE_PAGE bytes), checked
 * against the hash; 0 or a negative code. */
typedef int (*snapfile_get_fn)(void *ctx, const uint8_t hash[32], void *out);

/*
 * Encode s as a record relative to prev (NULL: s is the first record and
 * lists all its pages).  Pages are passed to put (which may see a page
 * again; it stores each hash once).  0 and a malloc'd record, or a
 * negative code.
 */
int snapfile_encode(struct ptstore *st, const struct snapshot *prev,
		    const struct snapshot *s, snapfile_put_fn put, void *ctx,
		    uint8_t **out, size_t *len);

/*
 * Decode a record relative to prev (NULL for the first) into a new
 * snapshot.  tmpl gives the process state the record does not carry (the
 * fd table, which replay never changes).  0, or TRACE_ECORRUPT for a
 * malformed record, or the error of get.
 */
int snapfile_decode(struct ptstore *st, const struct snapshot *prev,
		    const struct proc *tmpl, const uint8_t *rec, size_t len,
		    snapfile_get_fn get, void *ctx, struct snapshot **out);

#endif
