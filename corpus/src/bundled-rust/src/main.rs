//! binsight corpus: C libraries linked statically through their `-sys` crates (vendored sources).
//!
//! Calls each library's C API directly (no safe wrapper crate): compresses and decompresses a
//! run-time buffer with zlib, bzip2, zstd and xz (liblzma), runs SQL on an in-memory SQLite
//! database, and prints each library's runtime version, one `<library>: <version>` line each.
//! corpus/recipes/bundledsys.py checks those lines against the versions in the crates' sources.
//! Exits non-zero if any round trip fails.

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_uint};
use std::process::exit;
use std::ptr;

// Not declared by bzip2-sys, but part of the libbz2 it compiles (bzlib.c).
extern "C" {
    fn BZ2_bzlibVersion() -> *const c_char;
}

fn cstr(p: *const c_char) -> String {
    if p.is_null() {
        return String::from("(null)");
    }
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

fn fail(what: &str) -> ! {
    eprintln!("bundled-rust: {what} failed");
    exit(1)
}

fn zlib(data: &[u8]) -> String {
    unsafe {
        let mut clen = libz_sys::compressBound(data.len() as _);
        let mut comp = vec![0u8; clen as usize];
        if libz_sys::compress2(comp.as_mut_ptr(), &mut clen, data.as_ptr(), data.len() as _, 6) != libz_sys::Z_OK {
            fail("zlib compress2");
        }
        let mut dlen = data.len() as _;
        let mut back = vec![0u8; data.len()];
        if libz_sys::uncompress(back.as_mut_ptr(), &mut dlen, comp.as_ptr(), clen) != libz_sys::Z_OK
            || back[..dlen as usize] != *data
        {
            fail("zlib uncompress");
        }
        cstr(libz_sys::zlibVersion())
    }
}

fn bzip2(data: &[u8]) -> String {
    use bzip2_sys::*;
    unsafe {
        let mut comp = vec![0u8; data.len() + data.len() / 100 + 600];
        let mut s: bz_stream = std::mem::zeroed();
        if BZ2_bzCompressInit(&mut s, 9, 0, 0) != BZ_OK {
            fail("BZ2_bzCompressInit");
        }
        s.next_in = data.as_ptr() as *mut c_char;
        s.avail_in = data.len() as c_uint;
        s.next_out = comp.as_mut_ptr() as *mut c_char;
        s.avail_out = comp.len() as c_uint;
        if BZ2_bzCompress(&mut s, BZ_FINISH) != BZ_STREAM_END {
            fail("BZ2_bzCompress");
        }
        let clen = comp.len() - s.avail_out as usize;
        BZ2_bzCompressEnd(&mut s);

        let mut back = vec![0u8; data.len()];
        let mut d: bz_stream = std::mem::zeroed();
        if BZ2_bzDecompressInit(&mut d, 0, 0) != BZ_OK {
            fail("BZ2_bzDecompressInit");
        }
        d.next_in = comp.as_mut_ptr() as *mut c_char;
        d.avail_in = clen as c_uint;
        d.next_out = back.as_mut_ptr() as *mut c_char;
        d.avail_out = back.len() as c_uint;
        if BZ2_bzDecompress(&mut d) != BZ_STREAM_END || back != data {
            fail("BZ2_bzDecompress");
        }
        BZ2_bzDecompressEnd(&mut d);
        cstr(BZ2_bzlibVersion())
    }
}

fn zstd(data: &[u8]) -> String {
    use zstd_sys::*;
    unsafe {
        let mut comp = vec![0u8; ZSTD_compressBound(data.len())];
        let clen = ZSTD_compress(comp.as_mut_ptr().cast(), comp.len(), data.as_ptr().cast(), data.len(), 3);
        if ZSTD_isError(clen) != 0 {
            fail("ZSTD_compress");
        }
        let mut back = vec![0u8; data.len()];
        let dlen = ZSTD_decompress(back.as_mut_ptr().cast(), back.len(), comp.as_ptr().cast(), clen);
        if ZSTD_isError(dlen) != 0 || back[..dlen] != *data {
            fail("ZSTD_decompress");
        }
        cstr(ZSTD_versionString())
    }
}

fn xz(data: &[u8]) -> String {
    use lzma_sys::*;
    unsafe {
        let mut comp = vec![0u8; data.len() + 1024];
        let mut clen = 0;
        if lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, ptr::null(), data.as_ptr(), data.len(), comp.as_mut_ptr(),
                                   &mut clen, comp.len()) != LZMA_OK
        {
            fail("lzma_easy_buffer_encode");
        }
        let mut back = vec![0u8; data.len()];
        let (mut memlimit, mut in_pos, mut out_pos) = (u64::MAX, 0, 0);
        if lzma_stream_buffer_decode(&mut memlimit, 0, ptr::null(), comp.as_ptr(), &mut in_pos, clen,
                                     back.as_mut_ptr(), &mut out_pos, back.len()) != LZMA_OK
            || back[..out_pos] != *data
        {
            fail("lzma_stream_buffer_decode");
        }
        cstr(lzma_version_string())
    }
}

fn sqlite(rows: i64) -> (String, String) {
    use libsqlite3_sys::*;
    unsafe {
        let mut db = ptr::null_mut();
        let name = CString::new(":memory:").unwrap();
        if sqlite3_open(name.as_ptr(), &mut db) != SQLITE_OK {
            fail("sqlite3_open");
        }
        let setup = CString::new(format!(
            "CREATE TABLE t(n INTEGER, s TEXT);
             WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {rows})
             INSERT INTO t SELECT x, printf('row %d', x) FROM c;"
        ))
        .unwrap();
        if sqlite3_exec(db, setup.as_ptr(), None, ptr::null_mut(), ptr::null_mut()) != SQLITE_OK {
            fail(&format!("sqlite3_exec: {}", cstr(sqlite3_errmsg(db))));
        }
        let query = CString::new("SELECT sqlite_version(), sum(n), count(*) FROM t WHERE s LIKE 'row %'").unwrap();
        let mut stmt = ptr::null_mut();
        if sqlite3_prepare_v2(db, query.as_ptr(), -1, &mut stmt, ptr::null_mut()) != SQLITE_OK
            || sqlite3_step(stmt) != SQLITE_ROW
        {
            fail(&format!("sqlite3 query: {}", cstr(sqlite3_errmsg(db))));
        }
        let sql_version = cstr(sqlite3_column_text(stmt, 0) as *const c_char);
        let (sum, count) = (sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2));
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        if count != rows || sum != rows * (rows + 1) / 2 {
            fail("sqlite3 result");
        }
        (cstr(sqlite3_libversion()), format!("sqlite_version()={sql_version} sum={sum} count={count}"))
    }
}

fn main() {
    let seed: Vec<String> = std::env::args().collect();
    let mut data = Vec::new();
    for i in 0..400 {
        data.extend_from_slice(format!("{i:04} binsight bundled-rust {} {}\n", seed.len(), seed[0].len()).as_bytes());
    }
    let rows = 100 + seed.len() as i64;
    println!("zlib: {}", zlib(&data));
    println!("bzip2: {}", bzip2(&data));
    println!("zstd: {}", zstd(&data));
    println!("xz: {}", xz(&data));
    let (v, q) = sqlite(rows);
    println!("sqlite: {v}");
    println!("sqlite-query: {q}");
    println!("roundtrips: ok ({} bytes)", data.len());
}
