/* Statically linked liblzma (xz): lzma_easy_buffer_encode + lzma_stream_buffer_decode round trip;
 * prints lzma_version_string(). */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <lzma.h>

int main(void) {
    static const uint8_t msg[] = "binsight bundled-library fixture, binsight bundled-library fixture";
    uint8_t comp[512], back[256];
    size_t cpos = 0, in_pos = 0, out_pos = 0;
    uint64_t memlimit = UINT64_MAX;
    if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, msg, sizeof msg, comp, &cpos,
                                sizeof comp) != LZMA_OK)
        return 1;
    if (lzma_stream_buffer_decode(&memlimit, 0, NULL, comp, &in_pos, cpos, back, &out_pos,
                                  sizeof back) != LZMA_OK ||
        out_pos != sizeof msg || memcmp(back, msg, out_pos))
        return 1;
    printf("xz: %zu -> %zu bytes\n", sizeof msg, cpos);
    printf("version: %s\n", lzma_version_string());
#ifdef PRINT_HEADER_VERSION
    printf("built against: liblzma %s\n", LZMA_VERSION_STRING);
#endif
    return 0;
}
