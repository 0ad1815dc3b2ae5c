//! binsight corpus: OpenSSL compiled from the sources openssl-src vendors and linked statically
//! through openssl-sys (feature `vendored`).
//!
//! Calls the C API directly (no safe wrapper crate): initialises the library, prints its runtime
//! version (`openssl: <OpenSSL_version(OPENSSL_VERSION)>`), computes a SHA-256 of a run-time
//! buffer through EVP and creates an SSL_CTX for TLS_client_method(). corpus/recipes/bundledsys.py
//! checks the version against the one in openssl-src's own sources. Exits non-zero on failure.

use std::ffi::CStr;
use std::process::exit;
use std::ptr;

use openssl_sys as ffi;

fn fail(what: &str) -> ! {
    eprintln!("bundled-rust-openssl: {what} failed");
    exit(1)
}

fn sha256(data: &[u8]) -> String {
    let mut md = [0u8; 64];
    let mut len: u32 = 0;
    unsafe {
        let ctx = ffi::EVP_MD_CTX_new();
        if ctx.is_null() {
            fail("EVP_MD_CTX_new");
        }
        let ok = ffi::EVP_DigestInit_ex(ctx, ffi::EVP_sha256(), ptr::null_mut()) == 1
            && ffi::EVP_DigestUpdate(ctx, data.as_ptr().cast(), data.len()) == 1
            && ffi::EVP_DigestFinal_ex(ctx, md.as_mut_ptr(), &mut len) == 1;
        ffi::EVP_MD_CTX_free(ctx);
        if !ok || len != 32 {
            fail("EVP SHA-256");
        }
    }
    md[..len as usize].iter().map(|b| format!("{b:02x}")).collect()
}

fn main() {
    ffi::init();
    let version = unsafe { ffi::OpenSSL_version(ffi::OPENSSL_VERSION) };
    if version.is_null() {
        fail("OpenSSL_version");
    }
    println!("openssl: {}", unsafe { CStr::from_ptr(version) }.to_string_lossy());

    // "abc" built at run time: FIPS 180-2's first SHA-256 test vector.
    let input: Vec<u8> = (0..3u8).map(|i| b'a' + i).collect();
    println!("sha256(abc): {}", sha256(&input));

    unsafe {
        let ctx = ffi::SSL_CTX_new(ffi::TLS_client_method());
        if ctx.is_null() {
            fail("SSL_CTX_new(TLS_client_method())");
        }
        ffi::SSL_CTX_free(ctx);
    }
    println!("ssl-ctx: ok");
}
