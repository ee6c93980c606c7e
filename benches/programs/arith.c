/* Integer arithmetic in a loop: adds, multiplies, shifts and xors that a
 * non-optimizing compiler spills to memory. Parameter: iterations. */
#include "bench.h"

int main(void) {
    long long p[1];
    read_params(p, 1);
    unsigned int a = 1, b = 2, c = 3;
    bench_start();
    for (long long i = 0; i < p[0]; i++) {
        a = a * 1664525u + 1013904223u;
        b ^= a >> 3;
        c += (b << 1) - a;
    }
    bench_end();
    printf("%u\n", a ^ b ^ c);
    return 0;
}
