/* Statically linked zlib: compress2 + uncompress round trip, a crc32; prints zlibVersion(). */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

int main(void) {
    static const char msg[] = "binsight bundled-library fixture, binsight bundled-library fixture";
    unsigned char comp[256], back[256];
    uLongf clen = sizeof comp, blen = sizeof back;
    if (compress2(comp, &clen, (const Bytef *)msg, sizeof msg, Z_BEST_COMPRESSION) != Z_OK)
        return 1;
    if (uncompress(back, &blen, comp, clen) != Z_OK || blen != sizeof msg || memcmp(back, msg, blen))
        return 1;
    printf("deflate: %lu -> %lu bytes, crc32 %08lx\n", (unsigned long)sizeof msg,
           (unsigned long)clen, (unsigned long)crc32(0L, (const Bytef *)msg, sizeof msg));
    printf("version: %s\n", zlibVersion());
#ifdef PRINT_HEADER_VERSION
    printf("built against: zlib %s\n", ZLIB_VERSION);
#endif
    return 0;
}
