/*
 * readv_overlap.c - readv into iovecs that overlap each other.  The kernel
 * writes the buffers in order, so later ones win; a recording must journal
 * the final bytes (the journal merges the overlapping ranges) and replay
 * them.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	unsigned char buf[32] = { 0 };
	struct iovec v[3] = { { buf, 4 }, { buf + 8, 4 }, { buf + 2, 8 } };
	int fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0)
		return 1;
	ssize_t n = readv(fd, v, 3);
	printf("readv %zd:", n);
	for (int k = 0; k < 16; k++)
		printf(" %02x", buf[k]);
	printf("\n");
	return 0;
}
