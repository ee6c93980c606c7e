/* Takeuchi function: deep recursion with three arguments. Parameters: x, y, z, repetitions;
 * repetition i uses z + i % 2 (so the call cannot be hoisted). Prints the sum. */
#include "bench.h"

static int tak(int x, int y, int z) {
    return y < x ? tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y)) : z;
}

int main(void) {
    long long p[4];
    read_params(p, 4);
    long long sum = 0;
    bench_start();
    for (long long i = 0; i < p[3]; i++) sum += tak((int)p[0], (int)p[1], (int)(p[2] + (i & 1)));
    bench_end();
    printf("%lld\n", sum);
    return 0;
}
