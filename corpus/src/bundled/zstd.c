/* Statically linked zstd: ZSTD_compress + ZSTD_decompress round trip; prints ZSTD_versionString(). */
#include <stdio.h>
#include <string.h>
#include <zstd.h>

int main(void) {
    static const char msg[] = "binsight bundled-library fixture, binsight bundled-library fixture";
    char comp[256], back[256];
    size_t clen = ZSTD_compress(comp, sizeof comp, msg, sizeof msg, 19);
    if (ZSTD_isError(clen))
        return 1;
    size_t blen = ZSTD_decompress(back, sizeof back, comp, clen);
    if (ZSTD_isError(blen) || blen != sizeof msg || memcmp(back, msg, blen))
        return 1;
    printf("zstd: %zu -> %zu bytes\n", sizeof msg, clen);
    printf("version: %s\n", ZSTD_versionString());
#ifdef PRINT_HEADER_VERSION
    printf("built against: zstd %s\n", ZSTD_VERSION_STRING);
#endif
    return 0;
}
