/* Negative fixture: names libraries and versions in its messages but carries none of their code
 * (statically linked against glibc only). */
#include <stdio.h>
#include <string.h>

static const char *const about[] = {
    "built against OpenSSL 3.0.13 30 Jan 2024",
    "compression: zlib 1.3.1",
    "storage: SQLite version 3.45.1",
    "transfer: libcurl/8.5.0",
    "compression: zstd 1.5.6",
};

int main(int argc, char **argv) {
    for (size_t i = 0; i < sizeof about / sizeof about[0]; i++)
        if (argc < 2 || strstr(about[i], argv[1]))
            printf("%s\n", about[i]);
    return 0;
}
