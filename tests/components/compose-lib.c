// The library half of the composition: exports test:compose/text, with the
// canonical ABI written by hand.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    (void)old_size; (void)align;
    return realloc(old, new_size);
}

static uint32_t ret_area[2];

// "<S upper-cased>!"
__attribute__((export_name("test:compose/text#shout")))
uint32_t *shout(char *s, size_t len) {
    char *out = malloc(len + 2);
    for (size_t i = 0; i < len; i++) out[i] = toupper((unsigned char)s[i]);
    out[len] = '!';
    free(s);
    ret_area[0] = (uint32_t)(uintptr_t)out;
    ret_area[1] = (uint32_t)(len + 1);
    return ret_area;
}

__attribute__((export_name("cabi_post_test:compose/text#shout")))
void post_shout(uint32_t *ret) { free((void *)(uintptr_t)ret[0]); }

// Adler-32.
__attribute__((export_name("test:compose/text#checksum")))
uint32_t checksum(uint8_t *data, size_t len) {
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < len; i++) { a = (a + data[i]) % 65521; b = (b + a) % 65521; }
    free(data);
    return (b << 16) | a;
}

int main(void) { return 0; }
