/* Sieve of Eratosthenes: memory loads and stores in tight loops.
 * Parameters: limit, repetitions. Prints the number of primes below limit. */
#include "bench.h"

int main(void) {
    long long p[2];
    read_params(p, 2);
    long long n = p[0];
    char *composite = malloc((size_t)n);
    long long count = 0;
    bench_start();
    for (long long r = 0; r < p[1]; r++) {
        for (long long i = 0; i < n; i++) composite[i] = 0;
        count = 0;
        for (long long i = 2; i < n; i++) {
            if (composite[i]) continue;
            count++;
            for (long long j = i * i; j < n; j += i) composite[j] = 1;
        }
    }
    bench_end();
    printf("%lld\n", count);
    free(composite);
    return 0;
}
