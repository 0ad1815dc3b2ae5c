//! Go binaries: the build info blob ([`buildinfo`]), the module info text it carries
//! ([`modinfo`]), and the detector that turns them into the Go toolchain and its modules
//! ([`detector`]).

pub mod buildinfo;
pub mod detector;
pub mod modinfo;
pub mod packages;

pub use buildinfo::{read, BuildInfo};
pub use detector::GoDetector;
pub use modinfo::{parse_modinfo, ModInfo};
