//! Text for terminals: display width, ellipsis, word wrap, and colour that never counts towards
//! a width (widths are measured on the visible characters, escape codes are added last).

use binsight_model::{Action, Severity};
use unicode_width::UnicodeWidthChar as _;

/// How human-readable output is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// Longest line, in terminal columns; `None`: no limit (nothing is cut or wrapped).
    pub width: Option<usize>,
    /// ANSI colours for verdicts and severities.
    pub color: bool,
    /// List the findings a VEX statement or ignore entry suppressed (`--show-suppressed`); else
    /// only their count is shown.
    pub show_suppressed: bool,
}

/// The few colours human output uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    /// Red: `rebuild`, high severity.
    Red,
    /// Bold red: critical severity.
    BoldRed,
    /// Yellow: verdict `unknown`, medium severity.
    Yellow,
    /// Green: `ok`.
    Green,
    /// Dim: no or unrated severity.
    Dim,
}

impl Color {
    fn sgr(self) -> &'static str {
        match self {
            Color::Red => "31",
            Color::BoldRed => "1;31",
            Color::Yellow => "33",
            Color::Green => "32",
            Color::Dim => "2",
        }
    }
}

/// The colour of a verdict action.
pub fn verdict_color(action: Action) -> Option<Color> {
    match action {
        Action::Rebuild => Some(Color::Red),
        Action::Unknown => Some(Color::Yellow),
        Action::Ok => Some(Color::Green),
    }
}

/// The colour of a severity: critical/high red, medium yellow, low plain, none and unrated dim.
pub fn severity_color(severity: Option<Severity>) -> Option<Color> {
    match severity {
        Some(Severity::Critical) => Some(Color::BoldRed),
        Some(Severity::High) => Some(Color::Red),
        Some(Severity::Medium) => Some(Color::Yellow),
        Some(Severity::Low) => None,
        Some(Severity::None) | None => Some(Color::Dim),
    }
}

/// Whether `c` must not reach a terminal raw: C0 controls (newline and tab included: a line of
/// human output is one line), DEL, C1 controls (U+0080–U+009F: 8-bit CSI and OSC on some
/// terminals), the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E,
/// U+200F, U+202A–U+202E, U+2066–U+2069: they reorder what is shown) and the Unicode line and
/// paragraph separators (U+2028, U+2029).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// Text taken from input data (file names, strings read from binaries or images, messages
/// that quote them) made safe for a terminal: every [`is_unsafe`] character is shown as a
/// visible escape (`\n`, `\r`, `\t`, `\x1b`, `\x9b`, `\u{202e}`), never sent raw. The one
/// function every piece of human output built from data goes through; machine outputs (JSON,
/// SARIF, SBOMs) keep the exact data.
pub fn sanitize(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if is_unsafe(c) && u32::from(c) <= 0xff => o.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if is_unsafe(c) => o.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => o.push(c),
        }
    }
    std::borrow::Cow::Owned(o)
}

/// [`sanitize`] line by line, for a message whose own line breaks are meant (clap's usage
/// errors): the breaks stay, everything else unsafe is escaped.
pub fn sanitize_lines(s: &str) -> String {
    s.split('\n').map(|l| sanitize(l).into_owned()).collect::<Vec<_>>().join("\n")
}

/// `1 ELF file`, `2 ELF files`.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// Columns `c` takes on a terminal (control characters: 0; callers sanitize first).
fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Columns `s` takes on a terminal.
pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Text with a colour per character, measured and cut on what is visible.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Styled(Vec<(char, Option<Color>)>);

impl Styled {
    /// Empty text.
    pub fn new() -> Self {
        Styled(Vec::new())
    }

    /// `s` without colour.
    pub fn plain(s: &str) -> Self {
        Self::colored(s, None)
    }

    /// `s` in colour `c` (`None`: no colour).
    pub fn colored(s: &str, c: Option<Color>) -> Self {
        Styled(s.chars().map(|ch| (ch, c)).collect())
    }

    /// Append `s` in colour `c`.
    pub fn push(&mut self, s: &str, c: Option<Color>) -> &mut Self {
        self.0.extend(s.chars().map(|ch| (ch, c)));
        self
    }

    /// Append `other`, keeping its colours.
    pub fn append(&mut self, other: &Styled) -> &mut Self {
        self.0.extend_from_slice(&other.0);
        self
    }

    /// Columns it takes on a terminal.
    pub fn width(&self) -> usize {
        self.0.iter().map(|&(c, _)| char_width(c)).sum()
    }

    /// The text without colour.
    pub fn text(&self) -> String {
        self.0.iter().map(|&(c, _)| c).collect()
    }

    /// At most `w` columns: cut at the end, with `…` when something was cut.
    pub fn truncate_end(&self, w: usize) -> Styled {
        if self.width() <= w {
            return self.clone();
        }
        if w == 0 {
            return Styled::new();
        }
        let (mut out, mut used) = (Vec::new(), 0);
        for &(c, col) in &self.0 {
            let cw = char_width(c);
            if used + cw > w - 1 {
                break;
            }
            used += cw;
            out.push((c, col));
        }
        let col = self.0.get(out.len()).and_then(|x| x.1);
        out.push(('…', col));
        Styled(out)
    }

    /// At most `w` columns: the middle replaced with `…` when too long, keeping up to `head`
    /// columns of the start and as much of the end as fits.
    pub fn truncate_middle(&self, w: usize, head: usize) -> Styled {
        if self.width() <= w {
            return self.clone();
        }
        if w < 2 {
            return self.truncate_end(w);
        }
        let room = w - 1;
        let head_room = head.min(room);
        let (mut start, mut used) = (Vec::new(), 0);
        for &(c, col) in &self.0 {
            let cw = char_width(c);
            if used + cw > head_room {
                break;
            }
            used += cw;
            start.push((c, col));
        }
        let tail_room = room - used;
        let (mut tail, mut tused) = (Vec::new(), 0);
        for &(c, col) in self.0.iter().rev() {
            let cw = char_width(c);
            if tused + cw > tail_room {
                break;
            }
            tused += cw;
            tail.push((c, col));
        }
        tail.reverse();
        start.push(('…', None));
        start.extend(tail);
        Styled(start)
    }

    /// A path cut to at most `w` columns: its first component (`/usr/`, `./`) is kept when it
    /// takes at most a quarter of the room, then `…`, then as much of the end (the file name
    /// and the directories nearest it) as fits.
    pub fn truncate_path(&self, w: usize) -> Styled {
        let text = self.text();
        let first = text.char_indices().skip(1).find(|&(_, c)| c == '/').map(|(i, _)| width(&text[..=i])).unwrap_or(0);
        let head = if first * 4 <= w.saturating_sub(1) { first } else { 0 };
        self.truncate_middle(w, head)
    }

    /// Padded with spaces to `w` columns, on the right (or the left with `right_align`).
    pub fn pad(&self, w: usize, right_align: bool) -> Styled {
        let fill = w.saturating_sub(self.width());
        let spaces = std::iter::repeat_n((' ', None), fill);
        if right_align {
            Styled(spaces.chain(self.0.iter().copied()).collect())
        } else {
            Styled(self.0.iter().copied().chain(spaces).collect())
        }
    }

    /// Word-wrapped to lines of at most `w` columns. Continuation lines are indented two more
    /// than the first line's own indentation; a word longer than a line is split.
    pub fn wrap(&self, w: Option<usize>) -> Vec<Styled> {
        let Some(w) = w.filter(|&w| self.width() > w && w > 0) else {
            return vec![self.clone()];
        };
        let lead = self.0.iter().take_while(|x| x.0 == ' ').count();
        let mut indent = lead + 2;
        if indent * 2 > w {
            indent = 0;
        }
        let mut words: Vec<&[(char, Option<Color>)]> = Vec::new();
        for word in self.0[lead..].split(|x| x.0 == ' ') {
            if !word.is_empty() {
                words.push(word);
            }
        }
        let mut lines = Vec::new();
        let mut cur: Vec<(char, Option<Color>)> = vec![(' ', None); lead.min(w.saturating_sub(1))];
        let mut cur_w = cur.len();
        let mut empty = true;
        for word in words {
            let ww: usize = word.iter().map(|&(c, _)| char_width(c)).sum();
            if !empty && cur_w + 1 + ww <= w {
                cur.push((' ', None));
                cur.extend_from_slice(word);
                cur_w += 1 + ww;
                continue;
            }
            if !empty {
                lines.push(Styled(std::mem::take(&mut cur)));
                cur = vec![(' ', None); indent];
                cur_w = indent;
            }
            // Fits on the fresh line, or is split over as many lines as it needs.
            for &(c, col) in word {
                let cw = char_width(c);
                if cur_w + cw > w && cur_w > indent {
                    lines.push(Styled(std::mem::take(&mut cur)));
                    cur = vec![(' ', None); indent];
                    cur_w = indent;
                }
                cur.push((c, col));
                cur_w += cw;
            }
            empty = false;
        }
        lines.push(Styled(cur));
        lines
    }

    /// The text, with ANSI colour codes when `color`.
    pub fn render(&self, color: bool) -> String {
        let mut o = String::new();
        let mut open: Option<Color> = None;
        for &(c, col) in &self.0 {
            let col = if color { col } else { None };
            if col != open {
                if open.is_some() {
                    o.push_str("\x1b[0m");
                }
                if let Some(k) = col {
                    o.push_str("\x1b[");
                    o.push_str(k.sgr());
                    o.push('m');
                }
                open = col;
            }
            o.push(c);
        }
        if open.is_some() {
            o.push_str("\x1b[0m");
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_cuts_and_padding_count_visible_columns() {
        assert_eq!(width("日本"), 4);
        assert_eq!(width("é"), 1);
        let s = Styled::plain("abcdefghij");
        assert_eq!(s.truncate_end(5).text(), "abcd…");
        assert_eq!(s.truncate_end(10).text(), "abcdefghij");
        assert_eq!(s.truncate_middle(7, 2).text(), "ab…ghij");
        assert_eq!(Styled::plain("日本語テキスト").truncate_end(6).width(), 5);
        assert!(Styled::plain("日本語テキスト").truncate_middle(6, 3).width() <= 6);
        let p = Styled::plain("/root/.cache/binsight/corpus/c/gcc-glibc-2.31/x86_64-static/dns");
        assert_eq!(p.truncate_path(30).text(), "/root/…-2.31/x86_64-static/dns");
        assert_eq!(p.truncate_path(20).text(), "…1/x86_64-static/dns", "no room for the start");
        assert_eq!(p.truncate_path(200), p);
        assert_eq!(Styled::plain("relative/dir/and/a/long/name").truncate_path(12).text(), "…a/long/name");
        let red = Styled::colored("ok", Some(Color::Red));
        let padded = red.pad(5, false);
        assert_eq!(padded.width(), 5);
        assert_eq!(padded.render(true), "\x1b[31mok\x1b[0m   ");
        assert_eq!(padded.render(false), "ok   ");
        assert_eq!(count(1, "ELF file", "ELF files"), "1 ELF file");
        assert_eq!(count(0, "binary", "binaries"), "0 binaries");
    }

    #[test]
    fn wrap_never_exceeds_the_width() {
        let s = Styled::plain("  a line of words with a verylongwordthatmustbesplitsomewhere in it");
        for w in [1, 5, 10, 17, 30, 200] {
            let lines = s.wrap(Some(w));
            assert!(lines.iter().all(|l| l.width() <= w), "{w}: {lines:?}");
            let joined: String = lines.iter().map(|l| l.text().replace(' ', "")).collect();
            assert_eq!(joined, s.text().replace(' ', ""), "nothing lost at {w}");
        }
        assert_eq!(s.wrap(None).len(), 1);
        // Wide characters after an indentation: a line overflows only with one character wider
        // than the whole width.
        let wide = Styled::plain("  日本語 テキスト a日b");
        for w in 1..12 {
            for l in wide.wrap(Some(w)) {
                assert!(l.width() <= w || l.text().trim().chars().count() == 1, "{w}: {l:?}");
            }
        }
    }
}
