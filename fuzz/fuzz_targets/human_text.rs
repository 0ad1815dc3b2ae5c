//! Human output on hostile text: arbitrary bytes as a file name and, when they parse as ELF,
//! as the binary itself (every string a detector reads from it: .comment, interpreter, needed,
//! Go build info…), through `binsight_report::sanitize`, word wrap, the inspect block and the
//! scan table. The rule: no control character (C0, DEL, C1), bidi override or line separator
//! reaches the output raw except the renderers' own line breaks and colour codes, wrapped
//! lines fit their width, and the table has one row per report.
#![no_main]

use binsight_report::text::{is_unsafe, sanitize, Style, Styled};
use libfuzzer_sys::fuzz_target;

/// Our colour codes out, then nothing unsafe but line breaks.
fn assert_clean(what: &str, out: &str) {
    let mut s = out.to_string();
    for code in ["\x1b[0m", "\x1b[31m", "\x1b[1;31m", "\x1b[33m", "\x1b[32m", "\x1b[2m"] {
        s = s.replace(code, "");
    }
    if let Some(c) = s.chars().find(|&c| c != '\n' && is_unsafe(c)) {
        panic!("{what}: raw {c:?} in {s:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let clean = sanitize(&text);
    assert_clean("sanitize", &clean);
    assert!(!clean.contains('\n'));
    let w = data.len() % 97 + 1;
    for line in Styled::plain(&clean).wrap(Some(w)) {
        // Only a character wider than the whole line (a wide one at width 1) can overflow.
        assert!(line.width() <= w || line.text().chars().count() == 1, "wrapped line wider than {w}: {line:?}");
    }
    let name: String = text.chars().take(64).collect();
    let Ok(report) = binsight_detect::analyze_file(&name, data, &binsight_detect::Options::default()) else {
        return;
    };
    let ctx = binsight_model::AdvisoryContext::default();
    for color in [false, true] {
        for width in [None, Some(60)] {
            let style = Style { width, color };
            assert_clean("inspect", &binsight_report::inspect_text_styled(&report, &style));
            let table = binsight_report::scan_table(std::slice::from_ref(&report), &[], false, &ctx, &style);
            assert_clean("scan table", &table);
            let rows = table.lines().skip_while(|l| !l.contains("PATH")).skip(1).take_while(|l| !l.is_empty()).count();
            assert_eq!(rows, 1, "one row for one report: {table}");
        }
    }
});
