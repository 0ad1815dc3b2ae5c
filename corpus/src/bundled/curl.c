/* Statically linked libcurl: URL parsing (curl_url), an easy handle with options set (no transfer:
 * fixtures never touch the network); prints curl_version(). */
#include <stdio.h>
#include <curl/curl.h>

int main(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLU *u = curl_url();
    char *host = NULL;
    curl_url_set(u, CURLUPART_URL, "https://fixture.invalid:8443/bundled?x=1", 0);
    curl_url_get(u, CURLUPART_HOST, &host, 0);
    printf("host: %s\n", host ? host : "?");
    curl_free(host);
    curl_url_cleanup(u);
    CURL *h = curl_easy_init();
    if (!h)
        return 1;
    curl_easy_setopt(h, CURLOPT_URL, "https://fixture.invalid/");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 1L);
    char *esc = curl_easy_escape(h, "a b&c", 0);
    printf("escaped: %s\n", esc);
    curl_free(esc);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    printf("version: %s\n", curl_version());
    return 0;
}
