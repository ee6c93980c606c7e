// A C program with the canonical ABI written by hand (no wit-bindgen here):
// `process` and `checksum` are the world's exports, main is wasi:cli/run.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    (void)old_size; (void)align;
    return realloc(old, new_size);
}

static uint32_t ret_area[2];

// "len=<n> rev=<s reversed and upper-cased>"
__attribute__((export_name("process")))
uint32_t *process(char *s, size_t len) {
    char *rev = malloc(len + 1);
    for (size_t i = 0; i < len; i++) rev[i] = toupper((unsigned char)s[len - 1 - i]);
    rev[len] = 0;
    size_t cap = len + 32;
    char *out = malloc(cap);
    int n = snprintf(out, cap, "len=%zu rev=%s", len, rev);
    free(rev);
    free(s);
    ret_area[0] = (uint32_t)(uintptr_t)out;
    ret_area[1] = (uint32_t)n;
    return ret_area;
}

__attribute__((export_name("cabi_post_process")))
void cabi_post_process(uint32_t *ret) { free((void *)(uintptr_t)ret[0]); }

// Adler-32.
__attribute__((export_name("checksum")))
uint32_t checksum(uint8_t *data, size_t len) {
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < len; i++) { a = (a + data[i]) % 65521; b = (b + a) % 65521; }
    free(data);
    return (b << 16) | a;
}

// Never exported to the component: LOOM may drop it.
__attribute__((export_name("unused_helper")))
int unused_helper(int x) { return x * 3 + 1; }

int main(int argc, char **argv) {
    char buf[64];
    strcpy(buf, "hello from C");
    printf("%s: %u\n", buf, checksum((uint8_t *)strdup(buf), strlen(buf)));
    return 0;
}
