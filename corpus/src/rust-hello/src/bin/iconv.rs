//! Corpus fixture: converts text with the C library's iconv, so musl's iconv code (the code
//! of CVE-2025-26519 and CVE-2026-6042) is linked. Declared by hand: no crates.
use std::ffi::{c_char, c_int, c_void, CString};

extern "C" {
    fn iconv_open(tocode: *const c_char, fromcode: *const c_char) -> *mut c_void;
    fn iconv(cd: *mut c_void, inbuf: *mut *mut c_char, inleft: *mut usize, outbuf: *mut *mut c_char, outleft: *mut usize) -> usize;
    fn iconv_close(cd: *mut c_void) -> c_int;
}

fn main() {
    let to = CString::new("UTF-8").expect("no NUL");
    let from = CString::new(std::env::args().nth(1).unwrap_or_else(|| "LATIN1".into())).expect("no NUL");
    // SAFETY: both arguments are valid NUL-terminated strings.
    let cd = unsafe { iconv_open(to.as_ptr(), from.as_ptr()) };
    if cd as isize == -1 {
        println!("iconv_open failed");
        return;
    }
    let mut input = *b"caf\xe9";
    let mut output = [0u8; 16];
    let (mut ip, mut op) = (input.as_mut_ptr().cast::<c_char>(), output.as_mut_ptr().cast::<c_char>());
    let (mut il, mut ol) = (input.len(), output.len());
    // SAFETY: the pointers and lengths describe the two local buffers; cd is open.
    let n = unsafe { iconv(cd, &mut ip, &mut il, &mut op, &mut ol) };
    // SAFETY: cd came from a successful iconv_open and is closed once.
    unsafe { iconv_close(cd) };
    println!("iconv: {n} -> {:?}", String::from_utf8_lossy(&output[..output.len() - ol]));
}
