/*
 * files.c - the file system through the guest's eyes.
 *
 * Usage: files DIR
 *
 * Creates a fresh directory DIR/files-demo, then writes, reads, seeks,
 * stats, renames, lists, links and unlinks files and directories in it,
 * printing what it sees.  Directory listings are sorted and only stable
 * facts are printed (sizes, types, link counts, times it set itself), so
 * two runs print the same thing.  Everything is removed again at the end.
 *
 * Shows: rewind passes file system syscalls through faithfully: open,
 * read, write, pread, pwrite, lseek, fstat, stat, rename, mkdir, getdents,
 * link, symlink, readlink, utimensat, ftruncate, unlink, rmdir.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static char root[4096];

static void die(const char *what)
{
	fprintf(stderr, "files: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ROOT-relative path in a static buffer. */
static const char *at(const char *rel)
{
	static char buf[2][4200];
	static int which;
	which ^= 1;
	snprintf(buf[which], sizeof(buf[which]), "%s/%s", root, rel);
	return buf[which];
}

static const char *type_of(mode_t m)
{
	return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "symlink"
								  : "other";
}

static void show(const char *rel)
{
	struct stat st;
	if (lstat(at(rel), &st) < 0) {
		printf("  %-14s (%s)\n", rel, strerror(errno));
		return;
	}
	printf("  %-14s %-7s mode %04o", rel, type_of(st.st_mode),
	       (unsigned)(st.st_mode & 07777));
	if (!S_ISDIR(st.st_mode))
		printf(" size %lld links %ld", (long long)st.st_size,
		       (long)st.st_nlink);
	printf("\n");
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *rel)
{
	DIR *d = opendir(at(rel));
	char *names[64];
	int n = 0;
	struct dirent *e;

	if (!d)
		die("opendir");
	while ((e = readdir(d)) && n < 64) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_name);
	printf("listing of %s (%d entries):\n", rel, n);
	for (int i = 0; i < n; i++) {
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s", rel, names[i]);
		show(path);
		free(names[i]);
	}
}

static void write_file(const char *rel, const char *text, int times)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open for writing");
	for (int i = 0; i < times; i++)
		if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
			die("write");
	if (close(fd) < 0)
		die("close");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	umask(022);
	snprintf(root, sizeof(root), "%s/files-demo", argv[1]);
	if (mkdir(root, 0755) < 0)
		die("mkdir root");
	printf("working in %s\n", root);

	/* Write, then read back with read, pread and lseek. */
	write_file("notes.txt", "line of text\n", 100);
	int fd = open(at("notes.txt"), O_RDWR);
	if (fd < 0)
		die("open");
	char buf[64] = { 0 };
	ssize_t n = read(fd, buf, 20);
	printf("read %zd bytes: \"%.12s\"\n", n, buf);
	off_t end = lseek(fd, 0, SEEK_END);
	printf("lseek(SEEK_END) = %lld\n", (long long)end);
	lseek(fd, -13, SEEK_END);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("last line (%zd bytes): %s", n, buf);
	if (pwrite(fd, "LINE", 4, 13) != 4)
		die("pwrite");
	n = pread(fd, buf, 12, 13);
	printf("pread after pwrite: \"%.*s\"\n", (int)n, buf);
	printf("offset still %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
	/* A hole: seek past the end and write. */
	lseek(fd, 4096 * 3, SEEK_SET);
	if (write(fd, "tail", 4) != 4)
		die("write after hole");
	struct stat st;
	if (fstat(fd, &st) < 0)
		die("fstat");
	printf("fstat size %lld, regular %d\n", (long long)st.st_size,
	       S_ISREG(st.st_mode));
	if (ftruncate(fd, 1000) < 0)
		die("ftruncate");
	fstat(fd, &st);
	printf("after ftruncate size %lld\n", (long long)st.st_size);
	close(fd);

	/* stdio on top of it. */
	FILE *f = fopen(at("table.csv"), "w+");
	if (!f)
		die("fopen");
	for (int i = 0; i < 50; i++)
		fprintf(f, "%d,%d,%s\n", i, i * i, i % 3 ? "odd-ish" : "triple");
	rewind(f);
	int rows = 0, sum = 0, a, b;
	while (fscanf(f, "%d,%d,%*s", &a, &b) == 2) {
		rows++;
		sum += b;
	}
	fclose(f);
	printf("table.csv: %d rows, sum of squares %d\n", rows, sum);

	/* Directories, renames, links. */
	if (mkdir(at("sub"), 0750) < 0 || mkdir(at("sub/deeper"), 0700) < 0)
		die("mkdir");
	write_file("sub/a.txt", "aaaa", 1);
	write_file("sub/b.txt", "bbbbbbbb", 2);
	write_file("sub/deeper/c.txt", "c", 3);
	if (rename(at("sub/a.txt"), at("sub/renamed.txt")) < 0)
		die("rename");
	if (link(at("sub/b.txt"), at("sub/hardlink")) < 0)
		die("link");
	if (symlink("b.txt", at("sub/symlink")) < 0)
		die("symlink");
	char target[256];
	n = readlink(at("sub/symlink"), target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	printf("readlink sub/symlink -> %s\n", target);
	chmod(at("sub/renamed.txt"), 0600);

	/* Set times the test can check. */
	struct timespec times[2] = { { 1000000000, 0 }, { 1234567890, 500 } };
	if (utimensat(AT_FDCWD, at("sub/b.txt"), times, 0) < 0)
		die("utimensat");
	stat(at("sub/b.txt"), &st);
	printf("sub/b.txt mtime %lld.%09ld atime %lld\n",
	       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
	       (long long)st.st_atim.tv_sec);

	list(".");
	list("sub");
	list("sub/deeper");

	/* Errors come back as errno values. */
	errno = 0;
	if (open(at("missing"), O_RDONLY) < 0)
		printf("open missing: %s\n", strerror(errno));
	if (mkdir(at("sub"), 0755) < 0)
		printf("mkdir existing: %s\n", strerror(errno));
	if (rmdir(at("sub")) < 0)
		printf("rmdir non-empty: %s\n", strerror(errno));
	if (unlink(at("sub")) < 0)
		printf("unlink a directory: %s\n", strerror(errno));
	if (access(at("sub/renamed.txt"), R_OK) == 0)
		printf("access sub/renamed.txt: readable\n");

	/* getcwd/chdir round trip, relative names. */
	char old[4096];
	if (!getcwd(old, sizeof(old)))
		die("getcwd");
	if (chdir(at("sub/deeper")) < 0)
		die("chdir");
	f = fopen("c.txt", "r");
	printf("relative open in sub/deeper: %s\n", f ? "ok" : strerror(errno));
	if (f) {
		printf("c.txt holds \"%s\"\n", fgets(buf, sizeof(buf), f));
		fclose(f);
	}
	if (chdir(old) < 0)
		die("chdir back");

	/* Clean up, bottom-up. */
	const char *files[] = { "sub/deeper/c.txt", "sub/renamed.txt",
				"sub/b.txt", "sub/hardlink", "sub/symlink",
				"notes.txt", "table.csv" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (unlink(at(files[i])) < 0)
			die("unlink");
	if (rmdir(at("sub/deeper")) < 0 || rmdir(at("sub")) < 0)
		die("rmdir");
	list(".");
	if (rmdir(root) < 0)
		die("rmdir root");
	printf("removed %s\n", root);
	return 0;
}
