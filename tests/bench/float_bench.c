/*
 * float_bench.c - double precision arithmetic: an n-body step loop, a
 * matrix multiply and a few libm calls per iteration.
 *
 * Usage: float_bench [SCALE]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define BODIES 5
#define MAT 64

struct body {
	double x, y, z, vx, vy, vz, mass;
};

static void nbody_advance(struct body *b, double dt)
{
	for (int i = 0; i < BODIES; i++) {
		for (int j = i + 1; j < BODIES; j++) {
			double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y,
			       dz = b[i].z - b[j].z;
			double d2 = dx * dx + dy * dy + dz * dz;
			double mag = dt / (d2 * sqrt(d2));
			b[i].vx -= dx * b[j].mass * mag;
			b[i].vy -= dy * b[j].mass * mag;
			b[i].vz -= dz * b[j].mass * mag;
			b[j].vx += dx * b[i].mass * mag;
			b[j].vy += dy * b[i].mass * mag;
			b[j].vz += dz * b[i].mass * mag;
		}
	}
	for (int i = 0; i < BODIES; i++) {
		b[i].x += dt * b[i].vx;
		b[i].y += dt * b[i].vy;
		b[i].z += dt * b[i].vz;
	}
}

static double a[MAT][MAT], bm[MAT][MAT], c[MAT][MAT];

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	struct body b[BODIES];
	double check = 0;

	for (int i = 0; i < BODIES; i++)
		b[i] = (struct body){ i * 1.1, i * -0.7, i * 0.3, 0.01 * i,
				      0.02, -0.01 * i, 1.0 + i };
	for (long r = 0; r < scale * 1000000; r++)
		nbody_advance(b, 0.001);
	for (int i = 0; i < BODIES; i++)
		check += b[i].x + b[i].y + b[i].z;

	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++) {
			a[i][j] = sin(i + j * 0.5);
			bm[i][j] = cos(i * 0.25 - j);
		}
	for (long r = 0; r < scale * 100; r++) {
		for (int i = 0; i < MAT; i++)
			for (int j = 0; j < MAT; j++) {
				double s = 0;
				for (int k = 0; k < MAT; k++)
					s += a[i][k] * bm[k][j];
				c[i][j] = s;
			}
		for (int i = 0; i < MAT; i++)
			a[i][(r + i) % MAT] += c[i][i] * 1e-3;
	}
	for (int i = 0; i < MAT; i++)
		check += c[i][MAT - 1 - i];
	for (long r = 0; r < scale * 1000000; r++)
		check += exp(-(double)(r % 100) / 50) * log1p((double)(r % 37)) +
			 pow(1.0001, (double)(r % 91));
	printf("float_bench scale %ld checksum %.10e\n", scale, check);
	return 0;
}
