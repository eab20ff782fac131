/*
 * float.c - floating point: SSE2 doubles, x87 long doubles and libm.
 *
 * Shows: sqrt, sin, exp, pow, printf's %f %g %e %a and the long double
 * forms %Lf %Lg %La give the same digits under rewind as natively.  The
 * exact bits matter: %a and %La print every bit of the result.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>

static double series_pi(int terms)
{
	double s = 0;
	for (int k = 0; k < terms; k++)
		s += (k & 1 ? -4.0 : 4.0) / (2 * k + 1);
	return s;
}

static long double series_e(int terms)
{
	long double s = 1, term = 1;
	for (int k = 1; k < terms; k++) {
		term /= k;
		s += term;
	}
	return s;
}

int main(void)
{
	volatile double x = 2.0, y = 0.1, z = -1.5;

	printf("sqrt(2)   = %.17g  %a\n", sqrt(x), sqrt(x));
	printf("sin(0.1)  = %.17g  %a\n", sin(y), sin(y));
	printf("cos(0.1)  = %.17g\n", cos(y));
	printf("exp(-1.5) = %.17g  %a\n", exp(z), exp(z));
	printf("log(2)    = %.17g\n", log(x));
	printf("pow(2,.1) = %.17g\n", pow(x, y));
	printf("atan2     = %.17g\n", atan2(y, z));
	printf("floor/ceil/round/trunc(-1.5) = %g %g %g %g\n", floor(z), ceil(z),
	       round(z), trunc(z));
	printf("fmod(10,3.3) = %f\n", fmod(10.0, 3.3));
	printf("%%f %%e %%g: %f %e %g\n", 1.0 / 3, 6.02214076e23, 1e-5);
	printf("pi by 100000 terms = %.15f\n", series_pi(100000));
	printf("0.1+0.2 == 0.3: %s (%.17g)\n", y + 0.2 == 0.3 ? "yes" : "no",
	       y + 0.2);

	/* Special values. */
	volatile double zero = 0.0;
	printf("1/0 = %f, -1/0 = %f, 0/0 is nan: %d\n", 1 / zero, -1 / zero,
	       isnan(zero / zero));
	printf("DBL_MIN/2 (subnormal) = %a, DBL_MAX = %g\n", DBL_MIN / 2, DBL_MAX);

	/* Conversions. */
	volatile double big = 1e10, neg = -2.75;
	printf("(long)1e10 = %ld, (int)-2.75 = %d, (unsigned char)300.7 = %d\n",
	       (long)big, (int)neg, (unsigned char)(int)300.7);
	printf("(double)(1LL<<53 + 1) = %.1f\n", (double)((1LL << 53) + 1));

	/* x87 long double. */
	long double e = series_e(30);
	volatile long double lx = 2.0L;
	printf("e (long double) = %.21Lf  %La\n", e, e);
	printf("sqrtl(2)        = %.21Lg  %La\n", sqrtl(lx), sqrtl(lx));
	printf("1/3 (long)      = %.25Lf\n", 1.0L / 3);
	printf("LDBL_EPSILON    = %Lg, sizeof = %zu\n", LDBL_EPSILON,
	       sizeof(long double));
	printf("expl(1)/e - 1   = %Lg\n", expl(1.0L) / e - 1);

	/* float. */
	volatile float f = 1.1f;
	printf("float 1.1*1.1 = %.9g, sqrtf = %.9g\n", f * f, sqrtf(f));
	return 0;
}
