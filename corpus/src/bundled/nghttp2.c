/* Statically linked nghttp2: a client session that submits SETTINGS and a GET request and
 * serialises them (HPACK-encoded headers) to memory; prints nghttp2_version(0)->version_str. */
#include <stdio.h>
#include <string.h>
#include <nghttp2/nghttp2.h>

#define NV(n, v) {(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1, NGHTTP2_NV_FLAG_NONE}

int main(void) {
    nghttp2_session_callbacks *cbs;
    nghttp2_session *s;
    if (nghttp2_session_callbacks_new(&cbs) != 0 || nghttp2_session_client_new(&s, cbs, NULL) != 0)
        return 1;
    nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
                                   {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 65535}};
    nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, iv, 2);
    nghttp2_nv hdrs[] = {NV(":method", "GET"), NV(":scheme", "https"),
                         NV(":authority", "fixture.invalid"), NV(":path", "/bundled"),
                         NV("user-agent", "binsight-fixture")};
    int32_t id = nghttp2_submit_request(s, NULL, hdrs, sizeof hdrs / sizeof hdrs[0], NULL, NULL);
    size_t total = 0;
    const uint8_t *data;
    ssize_t n;
    while ((n = nghttp2_session_mem_send(s, &data)) > 0)
        total += (size_t)n;
    printf("stream %d, %zu bytes of HTTP/2 frames\n", id, total);
    nghttp2_session_del(s);
    nghttp2_session_callbacks_del(cbs);
    printf("version: %s\n", nghttp2_version(0)->version_str);
    return 0;
}
