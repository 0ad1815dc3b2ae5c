//! Dotted version numbers (`2.36`, `1.80.1`) compared numerically.

use std::cmp::Ordering;

/// Numeric components of a dotted version; `None` if any part is not a number.
pub fn parse(v: &str) -> Option<Vec<u32>> {
    v.split('.').map(|p| p.parse().ok()).collect()
}

/// Compare two dotted versions numerically (`2.9 < 2.10`); unparsable ones compare as text.
pub fn cmp(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn numeric_order() {
        assert_eq!(cmp("2.9", "2.10"), Ordering::Less);
        assert_eq!(cmp("2.34", "2.34"), Ordering::Equal);
        assert_eq!(cmp("1.80.1", "1.80"), Ordering::Greater);
        assert_eq!(parse("2.x"), None);
    }
}
