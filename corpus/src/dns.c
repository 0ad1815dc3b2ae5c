/* Links the libc's DNS resolver: getaddrinfo (and through it res_* / the resolv.conf parser). */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
    struct addrinfo hints, *res = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(argc > 1 ? argv[1] : "localhost", "80", &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rc));
        return 1;
    }
    printf("resolved\n");
    freeaddrinfo(res);
    return 0;
}
