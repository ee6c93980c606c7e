/* Iterative Fibonacci modulo 2^64: a loop carrying two values. Parameters: n, repetitions
 * (round r runs n + r % 8 steps, so no round can be hoisted). Prints a checksum. */
#include "bench.h"

int main(void) {
    long long p[2];
    read_params(p, 2);
    unsigned long long result = 0;
    bench_start();
    for (long long r = 0; r < p[1]; r++) {
        unsigned long long a = 0, b = 1;
        for (long long i = 0; i < p[0] + (r & 7); i++) {
            unsigned long long t = a + b;
            a = b;
            b = t;
        }
        result += a ^ (unsigned long long)r;
    }
    bench_end();
    printf("%llu\n", result);
    return 0;
}
