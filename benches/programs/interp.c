/* A small stack-machine interpreter: a switch-dispatch loop over bytecode,
 * the shape of many scripting engines. The program it runs counts the primes
 * below N by trial division. Parameters: N, repetitions. Prints the count. */
#include <stdint.h>
#include "bench.h"

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, LT, JZ, JMP, HALT };

typedef struct {
    uint8_t op;
    int32_t arg;
} Insn;

static int64_t run(const Insn *code, int64_t *vars) {
    int64_t stack[64];
    int sp = 0;
    for (int pc = 0;;) {
        Insn in = code[pc++];
        switch (in.op) {
        case PUSH: stack[sp++] = in.arg; break;
        case LOAD: stack[sp++] = vars[in.arg]; break;
        case STORE: vars[in.arg] = stack[--sp]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
        case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case JZ: if (stack[--sp] == 0) pc = in.arg; break;
        case JMP: pc = in.arg; break;
        case HALT: return vars[2];
        }
    }
}

/* vars: 0 = N, 1 = n, 2 = count, 3 = d, 4 = prime flag */
static const Insn PRIMES[] = {
    /* 0: n = 2; count = 0 */
    {PUSH, 2}, {STORE, 1}, {PUSH, 0}, {STORE, 2},
    /* 4: while n < N */
    {LOAD, 1}, {LOAD, 0}, {LT, 0}, {JZ, 42},
    /* 8: d = 2; prime = 1 */
    {PUSH, 2}, {STORE, 3}, {PUSH, 1}, {STORE, 4},
    /* 12: while d * d < n + 1 */
    {LOAD, 3}, {LOAD, 3}, {MUL, 0}, {LOAD, 1}, {PUSH, 1}, {ADD, 0}, {LT, 0}, {JZ, 33},
    /* 20: if n % d == 0 goto 25 else goto 28 */
    {LOAD, 1}, {LOAD, 3}, {MOD, 0}, {JZ, 25}, {JMP, 28},
    /* 25: prime = 0; break */
    {PUSH, 0}, {STORE, 4}, {JMP, 33},
    /* 28: d = d + 1; continue */
    {LOAD, 3}, {PUSH, 1}, {ADD, 0}, {STORE, 3}, {JMP, 12},
    /* 33: count += prime; n += 1; continue */
    {LOAD, 2}, {LOAD, 4}, {ADD, 0}, {STORE, 2},
    {LOAD, 1}, {PUSH, 1}, {ADD, 0}, {STORE, 1}, {JMP, 4},
    /* 42 */
    {HALT, 0},
};

int main(void) {
    long long p[2];
    read_params(p, 2);
    int64_t count = 0;
    bench_start();
    for (long long r = 0; r < p[1]; r++) {
        int64_t vars[5] = {p[0], 0, 0, 0, 0};
        count = run(PRIMES, vars);
    }
    bench_end();
    printf("%lld\n", (long long)count);
    return 0;
}
