/*
 * strings.c - libc string and memory routines on many sizes and alignments.
 *
 * Shows: the hand-written, vectorised string functions of glibc and musl
 * (strlen, strcmp, memcpy, memmove, memset, strchr, strstr, memcmp, ...),
 * qsort, snprintf and strtol all behave under rewind as they do natively.
 * They read past alignment boundaries in ways the VM must reproduce exactly.
 * Every section prints a checksum.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash = 0xcbf29ce484222325ULL;

static void mix(uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		hash ^= (v >> (8 * i)) & 0xff;
		hash *= 0x100000001b3ULL;
	}
}

static void section(const char *name)
{
	printf("%-10s %016llx\n", name, (unsigned long long)hash);
	hash = 0xcbf29ce484222325ULL;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

#define BUF 4096

int main(void)
{
	static char a[BUF + 64], b[BUF + 64];

	/* strlen/strchr/strrchr/memchr at every alignment and many lengths. */
	for (size_t align = 0; align < 32; align++) {
		for (size_t len = 0; len < 300; len += (len < 70 ? 1 : 17)) {
			char *s = a + align;
			memset(a, 'x', sizeof(a));
			for (size_t i = 0; i < len; i++)
				s[i] = (char)('a' + (i * 7 + align) % 26);
			s[len] = '\0';
			mix(strlen(s));
			char *p = strchr(s, 'q');
			mix(p ? (uint64_t)(p - s) : 999);
			p = strrchr(s, 'q');
			mix(p ? (uint64_t)(p - s) : 999);
			p = memchr(s, 'z', len);
			mix(p ? (uint64_t)(p - s) : 999);
			mix(strnlen(s, len / 2));
		}
	}
	section("strlen");

	/* strcmp/strncmp/memcmp with the difference at every position. */
	for (size_t align = 0; align < 16; align++) {
		for (size_t len = 1; len < 200; len += 3) {
			char *s = a + align, *t = b + (align * 3) % 16;
			for (size_t i = 0; i < len; i++)
				s[i] = t[i] = (char)('A' + i % 50);
			s[len] = t[len] = '\0';
			mix((uint64_t)sign(strcmp(s, t)));
			for (size_t d = 0; d < len; d += 5) {
				t[d]++;
				mix((uint64_t)sign(strcmp(s, t)));
				mix((uint64_t)sign(strncmp(s, t, d)));
				mix((uint64_t)sign(memcmp(s, t, len)));
				t[d]--;
			}
		}
	}
	section("strcmp");

	/* memcpy/memmove/memset, including overlapping moves both ways. */
	for (size_t len = 0; len < 1200; len += (len < 64 ? 1 : 37)) {
		for (size_t sa = 0; sa < 8; sa++) {
			for (size_t i = 0; i < sizeof(a); i++)
				a[i] = (char)(i * 31 + len);
			memset(b, 0, sizeof(b));
			memcpy(b + (sa * 5) % 8, a + sa, len);
			memmove(a + sa + 3, a + sa, len);
			memmove(b + 1, b + 9, len);
			memset(a + sa, (int)len, len / 3);
			uint64_t h = 0;
			for (size_t i = 0; i < len + 16; i++)
				h = h * 131 + (unsigned char)a[i] + 7 * (unsigned char)b[i];
			mix(h);
		}
	}
	section("memcpy");

	/* strstr/strcasecmp/strspn/strtok_r. */
	const char *hay = "the quick brown fox jumps over the lazy dog; "
			  "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG";
	const char *needles[] = { "fox", "dog;", "lazy dog", "LAZY", "cat",
				  "", "the quick brown fox jumps over", "g" };
	for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++) {
		const char *p = strstr(hay, needles[i]);
		mix(p ? (uint64_t)(p - hay) : 999);
		mix((uint64_t)sign(strcasecmp(hay + 45, hay)));
		mix(strspn(hay, "the qu"));
		mix(strcspn(hay, needles[i]));
	}
	char line[] = "alpha,beta,,gamma;delta epsilon";
	char *save, *tok;
	for (tok = strtok_r(line, ",; ", &save); tok;
	     tok = strtok_r(NULL, ",; ", &save))
		printf("token: %s\n", tok);
	section("strstr");

	/* snprintf and strtol/strtoul/strtod round trips. */
	char num[64];
	for (long v = -100000; v <= 100000; v += 777) {
		snprintf(num, sizeof(num), "%ld|%lx|%lo|%+08ld|%-6ld|", v,
			 (unsigned long)v, (unsigned long)v & 0777777, v, v % 1000);
		mix(strlen(num));
		mix((uint64_t)strtol(num, NULL, 10));
		char *end;
		mix(strtoul(strchr(num, '|') + 1, &end, 16));
		mix((uint64_t)(end - num));
	}
	printf("strtol: %ld %ld %lu %ld\n", strtol("  -0x1f", NULL, 0),
	       strtol("0777", NULL, 0), strtoul("18446744073709551615", NULL, 10),
	       strtol("z", NULL, 36));
	volatile size_t small = 8;	/* volatile: truncating on purpose */
	int want = snprintf(num, small, "%s", "abcdefghijkl");
	printf("snprintf truncates: %d \"%s\"\n", want, num);
	section("snprintf");

	/* qsort strings and numbers. */
	static char words[500][16];
	static const char *ptrs[500];
	static long nums[2000];
	uint64_t x = 12345;
	for (int i = 0; i < 500; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		snprintf(words[i], sizeof(words[i]), "w%llx",
			 (unsigned long long)(x >> 40));
		ptrs[i] = words[i];
	}
	qsort(ptrs, 500, sizeof(ptrs[0]), cmp_str);
	for (int i = 0; i < 2000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		nums[i] = (long)(x >> 33) - (1L << 30);
	}
	qsort(nums, 2000, sizeof(nums[0]), cmp_long);
	for (int i = 0; i < 500; i++)
		mix(strlen(ptrs[i]) * 1000 + (unsigned char)ptrs[i][1]);
	for (int i = 0; i < 2000; i++)
		mix((uint64_t)nums[i]);
	printf("first/last word: %s %s, min/max: %ld %ld\n", ptrs[0], ptrs[499],
	       nums[0], nums[1999]);
	section("qsort");

	/* strdup/realloc/strcat growth. */
	char *grown = strdup("");
	for (int i = 0; i < 300; i++) {
		size_t n = strlen(grown);
		grown = realloc(grown, n + 8);
		snprintf(grown + n, 8, "%d,", i);
	}
	mix(strlen(grown));
	mix((uint64_t)(strstr(grown, "299,") - grown));
	free(grown);
	section("realloc");
	return 0;
}
