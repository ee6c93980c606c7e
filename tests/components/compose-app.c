// The application half: imports test:compose/text and exports run, which
// returns "<shout(s)> <checksum(s)>".
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((import_module("test:compose/text"), import_name("shout")))
void text_shout(const char *s, size_t len, uint32_t *ret);
__attribute__((import_module("test:compose/text"), import_name("checksum")))
uint32_t text_checksum(const uint8_t *data, size_t len);

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    (void)old_size; (void)align;
    return realloc(old, new_size);
}

static uint32_t ret_area[2];

__attribute__((export_name("run")))
uint32_t *run(char *s, size_t len) {
    uint32_t shouted[2];
    text_shout(s, len, shouted);
    uint32_t sum = text_checksum((uint8_t *)s, len);
    size_t cap = shouted[1] + 16;
    char *out = malloc(cap);
    int n = snprintf(out, cap, "%.*s %u", (int)shouted[1], (char *)(uintptr_t)shouted[0], sum);
    free((void *)(uintptr_t)shouted[0]);
    free(s);
    ret_area[0] = (uint32_t)(uintptr_t)out;
    ret_area[1] = (uint32_t)n;
    return ret_area;
}

__attribute__((export_name("cabi_post_run")))
void post_run(uint32_t *ret) { free((void *)(uintptr_t)ret[0]); }

int main(void) { return 0; }
