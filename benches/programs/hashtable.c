/* A hash table with open addressing and linear probing: inserts, lookups and
 * deletions of pseudo-random keys, the access pattern of interpreters' and
 * compilers' symbol tables. Parameters: keys, rounds. Prints a checksum. */
#include <stdint.h>
#include "bench.h"

typedef struct {
    uint64_t *keys; /* 0 = empty, 1 = deleted */
    uint64_t *values;
    uint64_t mask;
} Table;

static uint64_t hash(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

static void put(Table *t, uint64_t key, uint64_t value) {
    uint64_t i = hash(key) & t->mask;
    while (t->keys[i] > 1 && t->keys[i] != key) i = (i + 1) & t->mask;
    t->keys[i] = key;
    t->values[i] = value;
}

static uint64_t *find(Table *t, uint64_t key) {
    uint64_t i = hash(key) & t->mask;
    while (t->keys[i] != 0) {
        if (t->keys[i] == key) return &t->values[i];
        i = (i + 1) & t->mask;
    }
    return 0;
}

static void erase(Table *t, uint64_t key) {
    uint64_t *v = find(t, key);
    if (v) t->keys[v - t->values] = 1;
}

int main(void) {
    long long p[2];
    read_params(p, 2);
    uint64_t n = (uint64_t)p[0], size = 1;
    while (size < 2 * n) size <<= 1;
    Table t = {calloc(size, 8), calloc(size, 8), size - 1};
    uint64_t checksum = 0;
    bench_start();
    for (long long round = 0; round < p[1]; round++) {
        uint64_t seed = 12345 + (uint64_t)round;
        for (uint64_t i = 0; i < size; i++) t.keys[i] = 0;
        for (uint64_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            put(&t, (seed >> 16) | 2, i);
        }
        seed = 12345 + (uint64_t)round;
        for (uint64_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            uint64_t key = (seed >> 16) | 2;
            uint64_t *v = find(&t, key);
            if (v) checksum += *v;
            if (i % 3 == 0) erase(&t, key);
            if (find(&t, key ^ 0x5555)) checksum ^= key;
        }
    }
    bench_end();
    printf("%llu\n", (unsigned long long)checksum);
    return 0;
}
