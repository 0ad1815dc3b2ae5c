//! The binary under test, hermetic (see `binsight_testkit::cli`), and the snapshot macro.

use binsight_testkit::cli::{Binsight, Output};
use binsight_testkit::filters::Filters;

/// A hermetic `binsight`.
pub fn binsight() -> Binsight {
    Binsight::new(env!("CARGO_BIN_EXE_binsight"))
}

/// The filters of a snapshot of runs from `b`: its home is `[HOME]`.
pub fn filters(b: &Binsight) -> Filters {
    let mut f = Filters::new();
    f.path(b.home(), "[HOME]");
    f
}

/// Several runs in one snapshot, each under its command line.
pub fn transcript(runs: &[(String, Output)]) -> String {
    runs.iter().map(|(cmd, o)| format!("$ {cmd}\n{}", o.snapshot())).collect::<Vec<_>>().join("\n")
}

/// Assert the snapshot `$name` of `$text` with the filters `$filters`.
macro_rules! snap {
    ($filters:expr, $name:expr, $text:expr) => {
        $filters.settings().bind(|| insta::assert_snapshot!($name, $text))
    };
}
pub(crate) use snap;
