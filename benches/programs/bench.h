/* LOOM's benchmark programs: shared helpers.
 *
 * The measured region is bracketed by calls to the host's bench.start and
 * bench.end (the sightglass convention), so start-up and I/O are not timed.
 * Parameters come from ./default.input at run time, so neither the compiler nor
 * a wasm optimizer can see them and fold the work away. Built natively (to
 * produce the expected output), the hooks do nothing. */
#ifndef LOOM_BENCH_H
#define LOOM_BENCH_H

#include <stdio.h>
#include <stdlib.h>

#ifdef __wasm__
__attribute__((import_module("bench"), import_name("start"))) void bench_start(void);
__attribute__((import_module("bench"), import_name("end"))) void bench_end(void);
#else
static void bench_start(void) {}
static void bench_end(void) {}
#endif

/* Reads `count` integers from ./default.input; exits with a message if it cannot. */
static void read_params(long long *out, int count) {
    FILE *f = fopen("./default.input", "r");
    if (!f) {
        fputs("cannot open ./default.input\n", stderr);
        exit(1);
    }
    for (int i = 0; i < count; i++) {
        if (fscanf(f, "%lld", &out[i]) != 1) {
            fputs("default.input: expected a number\n", stderr);
            exit(1);
        }
    }
    fclose(f);
}

#endif
