/* Statically linked bzip2: BZ2_bzBuffToBuffCompress/Decompress round trip; prints
 * BZ2_bzlibVersion(). */
#include <stdio.h>
#include <string.h>
#include <bzlib.h>

int main(void) {
    static char msg[] = "binsight bundled-library fixture, binsight bundled-library fixture";
    char comp[512], back[256];
    unsigned int clen = sizeof comp, blen = sizeof back;
    if (BZ2_bzBuffToBuffCompress(comp, &clen, msg, sizeof msg, 9, 0, 0) != BZ_OK)
        return 1;
    if (BZ2_bzBuffToBuffDecompress(back, &blen, comp, clen, 0, 0) != BZ_OK ||
        blen != sizeof msg || memcmp(back, msg, blen))
        return 1;
    printf("bzip2: %zu -> %u bytes\n", sizeof msg, clen);
    printf("version: %s\n", BZ2_bzlibVersion());
    return 0;
}
