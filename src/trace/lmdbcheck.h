/*
 * lmdbcheck.h - structural check of an LMDB file before LMDB maps it.
 *
 * LMDB trusts its file: a damaged page offset or length makes it read
 * outside the page, and past the end of a truncated file (SIGBUS).  A trace
 * is untrusted input, so trace_open walks every tree reachable from the
 * current meta page first and checks every page and node bound.  Internal
 * to src/trace; knows the on-disk format of LMDB 0.9 (data version 1).
 */
#ifndef REWIND_TRACE_LMDBCHECK_H
#define REWIND_TRACE_LMDBCHECK_H

/* 0 when the file at fd is an LMDB 0.9 environment (no sub-page/dupsort
 * databases) whose trees stay inside the file; TRACE_ENOTTRACE when it is
 * not LMDB at all, TRACE_ECORRUPT when it is damaged, -errno on I/O
 * failure. */
int lmdb_check_fd(int fd);

#endif
