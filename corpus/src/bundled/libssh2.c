/* Statically linked libssh2: a session whose SSH handshake (banner exchange, KEXINIT with the
 * library's key-exchange, cipher, MAC and compression lists) runs over a socketpair against a
 * peer that only sends a banner and hangs up; prints libssh2_version(0). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libssh2.h>

int main(void) {
    int sv[2];
    if (libssh2_init(0) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 1;
    static const char banner[] = "SSH-2.0-binsight_fixture\r\n";
    if (write(sv[1], banner, sizeof banner - 1) != (ssize_t)(sizeof banner - 1))
        return 1;
    shutdown(sv[1], SHUT_WR);
    LIBSSH2_SESSION *s = libssh2_session_init();
    if (!s)
        return 1;
    libssh2_session_set_blocking(s, 1);
    libssh2_session_flag(s, LIBSSH2_FLAG_COMPRESS, 1);
    libssh2_session_method_pref(s, LIBSSH2_METHOD_CRYPT_CS, "aes256-ctr,aes128-ctr");
    int rc = libssh2_session_handshake(s, sv[0]);
    char *msg = NULL;
    libssh2_session_last_error(s, &msg, NULL, 0);
    printf("handshake against a silent peer: %d (%s)\n", rc, msg ? msg : "");
    const char **algs = NULL;
    int n = libssh2_session_supported_algs(s, LIBSSH2_METHOD_KEX, &algs);
    for (int i = 0; i < n; i++)
        printf("kex: %s\n", algs[i]);
    if (n > 0)
        libssh2_free(s, algs);
    libssh2_session_free(s);
    close(sv[0]);
    close(sv[1]);
    libssh2_exit();
    printf("version: %s\n", libssh2_version(0));
    return 0;
}
