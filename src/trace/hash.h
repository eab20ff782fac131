/*
 * hash.h - SHA-256 (FIPS 180-4), for content-addressed blobs and for the
 * integrity check of each batch of events.
 *
 * Owns: the hash function only.  Implemented here from the standard so the
 * trace needs no crypto library; tests/unit/test_trace.c holds the standard
 * test vectors.  Not constant-time: nothing here is secret.
 */
#ifndef REWIND_TRACE_HASH_H
#define REWIND_TRACE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t state[8];
	uint64_t nbytes;	/* message length so far */
	uint8_t block[64];	/* partial block */
	size_t nblock;		/* bytes used in block */
};

/* ---- incremental */
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Writes the digest; s must be initialised again before reuse. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);

/* ---- one shot */
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
/* The SHA-256 of a file's contents: 0 or -errno. */
int sha256_file(const char *path, uint8_t out[SHA256_LEN]);

/* ---- hex form: 64 lower-case digits and a NUL */
/* The value of one hex digit (either case), or -1. */
int hex_digit_value(int c);
void sha256_to_hex(const uint8_t h[SHA256_LEN], char out[2 * SHA256_LEN + 1]);
/* 0, or -1 unless hex is exactly 64 hex digits. */
int sha256_from_hex(const char *hex, uint8_t out[SHA256_LEN]);

#endif
