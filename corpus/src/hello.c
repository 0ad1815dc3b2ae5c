/* printf + strerror: pulls in stdio and the libc's error-message table. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    printf("hello from %s: %s\n", argc > 0 ? argv[0] : "?", strerror(argc > 5 ? errno : ENOENT));
    return 0;
}
