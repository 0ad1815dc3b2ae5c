//! Corpus fixture: opens a conversion with the C library's iconv, so musl's iconv (the code of
//! CVE-2025-26519 and CVE-2026-6042) is linked. Declared by hand: no crates.
use std::ffi::{c_char, c_int, c_void, CString};

extern "C" {
    fn iconv_open(tocode: *const c_char, fromcode: *const c_char) -> *mut c_void;
    fn iconv_close(cd: *mut c_void) -> c_int;
}

fn main() {
    let to = CString::new("UTF-8").expect("no NUL");
    let from = CString::new(std::env::args().nth(1).unwrap_or_else(|| "EUC-KR".into())).expect("no NUL");
    // SAFETY: both arguments are valid NUL-terminated strings; the descriptor is closed once.
    let cd = unsafe { iconv_open(to.as_ptr(), from.as_ptr()) };
    if cd as isize == -1 {
        println!("iconv_open failed");
        return;
    }
    // SAFETY: cd came from a successful iconv_open.
    unsafe { iconv_close(cd) };
    println!("iconv ok");
}
