/* Sorting pseudo-random integers with a hand-written quicksort (median of
 * three, insertion sort for short runs) and checking the result.
 * Parameters: elements, rounds. Prints a checksum of the sorted array. */
#include <stdint.h>
#include "bench.h"

static void insertion(int32_t *a, long n) {
    for (long i = 1; i < n; i++) {
        int32_t v = a[i];
        long j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void swap(int32_t *a, int32_t *b) {
    int32_t t = *a;
    *a = *b;
    *b = t;
}

static void quicksort(int32_t *a, long n) {
    while (n > 16) {
        long mid = n / 2;
        if (a[mid] < a[0]) swap(&a[mid], &a[0]);
        if (a[n - 1] < a[0]) swap(&a[n - 1], &a[0]);
        if (a[n - 1] < a[mid]) swap(&a[n - 1], &a[mid]);
        int32_t pivot = a[mid];
        long i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i >= j) break;
            swap(&a[i++], &a[j--]);
        }
        /* Recurse into the smaller half, loop on the larger: bounded stack. */
        if (j + 1 < n - j - 1) {
            quicksort(a, j + 1);
            a += j + 1;
            n -= j + 1;
        } else {
            quicksort(a + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    insertion(a, n);
}

int main(void) {
    long long p[2];
    read_params(p, 2);
    long n = (long)p[0];
    int32_t *a = malloc(sizeof(int32_t) * (size_t)n);
    uint64_t checksum = 0;
    bench_start();
    for (long long round = 0; round < p[1]; round++) {
        uint32_t seed = 2463534242u + (uint32_t)round;
        for (long i = 0; i < n; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            a[i] = (int32_t)(seed % 1000000u);
        }
        quicksort(a, n);
        for (long i = 1; i < n; i++) {
            if (a[i - 1] > a[i]) {
                fputs("not sorted\n", stderr);
                return 1;
            }
        }
        for (long i = 0; i < n; i += 97) checksum = checksum * 31 + (uint64_t)a[i];
    }
    bench_end();
    printf("%llu\n", (unsigned long long)checksum);
    return 0;
}
