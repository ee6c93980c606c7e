/* Naive recursive Fibonacci: call overhead. Parameters: n, repetitions.
 * Repetition i computes fib(n - i % 2) (a call no compiler can hoist out of the
 * loop) and the sum is printed. */
#include "bench.h"

static long long fib(long long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
    long long p[2];
    read_params(p, 2);
    long long result = 0;
    bench_start();
    for (long long i = 0; i < p[1]; i++) result += fib(p[0] - (i & 1));
    bench_end();
    printf("%lld\n", result);
    return 0;
}
