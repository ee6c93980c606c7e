/* Euclid's algorithm on many pairs: division and remainder in a loop.
 * Parameters: count, start. Prints the sum of gcd(start + i, i * 3 + 7). */
#include "bench.h"

static long long gcd(long long a, long long b) {
    while (b != 0) {
        long long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int main(void) {
    long long p[2];
    read_params(p, 2);
    long long sum = 0;
    bench_start();
    for (long long i = 0; i < p[0]; i++) sum += gcd(p[1] + i, i * 3 + 7);
    bench_end();
    printf("%lld\n", sum);
    return 0;
}
