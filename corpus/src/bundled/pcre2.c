/* Statically linked PCRE2 (8-bit): pcre2_compile + pcre2_match with captures; prints
 * PCRE2_CONFIG_VERSION. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <stdio.h>
#include <string.h>
#include <pcre2.h>

int main(void) {
    const char *pattern = "(?<name>[a-z0-9]+)-(?<version>\\d+(?:\\.\\d+)+)";
    const char *subject = "bundled: pcre2-10.42 expat-2.5.0";
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &errcode,
                                   &erroff, NULL);
    if (!re)
        return 1;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    PCRE2_SIZE start = 0, len = strlen(subject);
    int rc;
    while ((rc = pcre2_match(re, (PCRE2_SPTR)subject, len, start, 0, md, NULL)) > 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        printf("match: %.*s\n", (int)(ov[1] - ov[0]), subject + ov[0]);
        start = ov[1];
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    char ver[64];
    pcre2_config(PCRE2_CONFIG_VERSION, ver);
    printf("version: %s\n", ver);
    return 0;
}
