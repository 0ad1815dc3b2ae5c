/* Statically linked lz4: block compression (fast and HC) and decompression; prints
 * LZ4_versionString(). The frame API is not used (trixie's lz4frame needs libxxhash). */
#include <stdio.h>
#include <string.h>
#include <lz4.h>
#include <lz4hc.h>

int main(void) {
    static const char msg[] = "binsight bundled-library fixture, binsight bundled-library fixture";
    char comp[256], hc[256], back[256];
    int clen = LZ4_compress_default(msg, comp, sizeof msg, sizeof comp);
    int hlen = LZ4_compress_HC(msg, hc, sizeof msg, sizeof hc, LZ4HC_CLEVEL_MAX);
    if (clen <= 0 || hlen <= 0)
        return 1;
    int blen = LZ4_decompress_safe(hc, back, hlen, sizeof back);
    if (blen != (int)sizeof msg || memcmp(back, msg, sizeof msg))
        return 1;
    printf("lz4: %zu -> %d bytes (hc %d)\n", sizeof msg, clen, hlen);
    printf("version: %s\n", LZ4_versionString());
    return 0;
}
