/* Statically linked jemalloc (it replaces malloc/free): mallocx/rallocx/sdallocx and the
 * mallctl interface (arenas, stats); prints mallctl("version"). */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <jemalloc/jemalloc.h>

int main(void) {
    void *p = mallocx(4096, MALLOCX_ZERO);
    p = rallocx(p, 1 << 20, 0);
    printf("usable size: %zu\n", sallocx(p, 0));
    sdallocx(p, 1 << 20, 0);
    char *q = malloc(100);
    strcpy(q, "plain malloc through jemalloc");
    printf("%s: %zu\n", q, malloc_usable_size(q));
    free(q);
    unsigned narenas;
    size_t sz = sizeof narenas;
    if (mallctl("arenas.narenas", &narenas, &sz, NULL, 0) == 0)
        printf("arenas: %u\n", narenas);
    const char *version;
    sz = sizeof version;
    if (mallctl("version", &version, &sz, NULL, 0) != 0)
        return 1;
    printf("version: %s\n", version);
    return 0;
}
