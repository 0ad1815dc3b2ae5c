/* Statically linked OpenSSL: SHA-256 through the EVP API, an AES-256-GCM round trip, a TLS client
 * context; prints the library's runtime version (OpenSSL_version / SSLeay_version). */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/opensslv.h>

int main(void) {
    static const char msg[] = "binsight bundled-library fixture";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
        !EVP_DigestUpdate(ctx, msg, strlen(msg)) || !EVP_DigestFinal_ex(ctx, md, &mdlen))
        return 1;
    EVP_MD_CTX_free(ctx);
    printf("sha256: ");
    for (unsigned int i = 0; i < mdlen; i++)
        printf("%02x", md[i]);
    printf("\n");

    unsigned char key[32] = {1}, iv[12] = {2}, ct[64], pt[64], tag[16];
    int n = 0, len = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv);
    EVP_EncryptUpdate(c, ct, &n, (const unsigned char *)msg, (int)strlen(msg));
    len = n;
    EVP_EncryptFinal_ex(c, ct + len, &n);
    len += n;
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(c);
    c = EVP_CIPHER_CTX_new();
    EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv);
    EVP_DecryptUpdate(c, pt, &n, ct, len);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag);
    int ok = EVP_DecryptFinal_ex(c, pt + n, &n) > 0 && memcmp(pt, msg, strlen(msg)) == 0;
    EVP_CIPHER_CTX_free(c);
    printf("aes-256-gcm round trip: %s\n", ok ? "ok" : "FAILED");

    SSL_CTX *ssl = SSL_CTX_new(TLS_client_method());
    if (!ssl)
        return 1;
    SSL_CTX_set_min_proto_version(ssl, TLS1_2_VERSION);
    SSL *s = SSL_new(ssl);
    printf("tls client: %s\n", s ? SSL_get_version(s) : "none");
    SSL_free(s);
    SSL_CTX_free(ssl);
    printf("version: %s\n", OpenSSL_version(OPENSSL_VERSION));
#ifdef PRINT_HEADER_VERSION
    printf("built against: %s\n", OPENSSL_VERSION_TEXT);
#endif
    return ok ? 0 : 1;
}
