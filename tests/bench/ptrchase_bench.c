/*
 * ptrchase_bench.c - malloc, free and pointer chasing: builds linked lists
 * and a binary search tree from the heap, walks them, frees them.
 * Memory-access bound: every step is a dependent load.
 *
 * Usage: ptrchase_bench [SCALE]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct node {
	struct node *next;
	uint64_t value;
};

struct tree {
	struct tree *left, *right;
	uint64_t key;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static struct tree *tree_insert(struct tree *t, uint64_t key)
{
	struct tree **slot = &t;
	while (*slot)
		slot = key < (*slot)->key ? &(*slot)->left : &(*slot)->right;
	*slot = calloc(1, sizeof(**slot));
	(*slot)->key = key;
	return t;
}

static uint64_t tree_sum_depth(const struct tree *t, uint64_t depth)
{
	if (!t)
		return 0;
	return depth + (t->key & 0xff) + tree_sum_depth(t->left, depth + 1) +
	       tree_sum_depth(t->right, depth + 1);
}

static void tree_free(struct tree *t)
{
	if (!t)
		return;
	tree_free(t->left);
	tree_free(t->right);
	free(t);
}

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	uint64_t sum = 0;
	enum { N = 50000 };

	for (long r = 0; r < scale * 8; r++) {
		/* A list in shuffled order, so that walking it jumps around. */
		struct node **nodes = malloc(N * sizeof(*nodes));
		for (int i = 0; i < N; i++) {
			nodes[i] = malloc(sizeof(struct node) + (i % 7) * 8);
			nodes[i]->value = (uint64_t)i;
		}
		for (int i = N - 1; i > 0; i--) {
			int j = (int)(next_rand() % (uint64_t)(i + 1));
			struct node *t = nodes[i];
			nodes[i] = nodes[j];
			nodes[j] = t;
		}
		for (int i = 0; i < N - 1; i++)
			nodes[i]->next = nodes[i + 1];
		nodes[N - 1]->next = NULL;
		struct node *head = nodes[0];
		free(nodes);
		for (int pass = 0; pass < 20; pass++)
			for (struct node *n = head; n; n = n->next)
				sum += n->value ^ (uint64_t)pass;
		while (head) {
			struct node *n = head->next;
			free(head);
			head = n;
		}

		struct tree *t = NULL;
		for (int i = 0; i < N; i++)
			t = tree_insert(t, next_rand());
		sum += tree_sum_depth(t, 0);
		tree_free(t);
	}
	printf("ptrchase_bench scale %ld checksum %016llx\n", scale,
	       (unsigned long long)sum);
	return 0;
}
