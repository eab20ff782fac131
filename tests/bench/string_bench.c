/*
 * string_bench.c - libc string routines: memcpy, memset, strlen, strcmp,
 * strchr and memchr over buffers from a few bytes to a few KiB, the way
 * text-processing programs spend their time.
 *
 * Usage: string_bench [SCALE]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF 8192

static char src[BUF + 64], dst[BUF + 64], other[BUF + 64];

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	uint64_t sum = 0;
	static const size_t sizes[] = { 3, 8, 15, 32, 61, 128, 255, 1000, 4096, 8000 };
	enum { NSIZES = sizeof(sizes) / sizeof(sizes[0]) };

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (char)('a' + i % 23);
	for (long r = 0; r < scale * 1000000; r++) {
		size_t len = sizes[r % NSIZES], off = (size_t)r % 16;
		memcpy(dst + off, src + (r % 7), len);
		dst[off + len] = '\0';
		sum += strlen(dst + off);
		memcpy(other, dst + off, len + 1);
		sum += (uint64_t)(strcmp(other, dst + off) == 0);
		other[len / 2] ^= 1;
		sum += (uint64_t)(strcmp(other, dst + off) > 0);
		char *p = strchr(dst + off, 'w');
		sum += p ? (uint64_t)(p - dst) : 0;
		p = memchr(dst + off, 'v', len);
		sum += p ? (uint64_t)(p - dst) : 0;
		memset(other, (int)(r & 0x7f), len);
		sum += (unsigned char)other[len - 1];
		memmove(dst + 1, dst, len);
		sum += (uint64_t)memcmp(dst, dst + 1, len) != 0;
	}
	printf("string_bench scale %ld checksum %016llx\n", scale,
	       (unsigned long long)sum);
	return 0;
}
