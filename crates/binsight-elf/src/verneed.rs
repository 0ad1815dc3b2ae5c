//! GNU version needs (`.gnu.version_r`): the symbol versions required of each library.

use binsight_model::VersionNeed;
use object::read::elf::{FileHeader, SectionTable};
use object::Endianness;

use crate::strings::{lossy, Strings};
use crate::Limits;

/// The version needs of the file (none without a `.gnu.version_r`); problems become `warnings`.
pub(crate) fn read<'a, H: FileHeader<Endian = Endianness>>(
    table: &SectionTable<'a, H, &'a [u8]>,
    endian: Endianness,
    data: &'a [u8],
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Vec<VersionNeed> {
    let mut version_needs = Vec::new();
    match table.gnu_verneed(endian, data) {
        Ok(Some((mut iter, link))) => match Strings::section(table, endian, data, link, limits) {
            Ok(strings) => read_verneed::<H>(&mut iter, endian, strings, limits, &mut version_needs, warnings),
            Err(e) => warnings.push(format!("verneed strings unreadable: {e}")),
        },
        Ok(None) => {}
        Err(e) => warnings.push(format!("verneed unreadable: {e}")),
    }
    version_needs
}

fn read_verneed<'a, H: FileHeader<Endian = Endianness>>(
    iter: &mut object::read::elf::VerneedIterator<'a, H>,
    endian: Endianness,
    strings: Strings<'a>,
    limits: &Limits,
    out: &mut Vec<VersionNeed>,
    warnings: &mut Vec<String>,
) {
    let mut total = 0usize;
    loop {
        match iter.next() {
            Ok(Some((need, mut aux))) => {
                // Entries without versions do not count towards `total`: cap the entries too
                // (vn_next can step through the section a few bytes at a time).
                if out.len() >= limits.max_list {
                    warnings.push("too many version needs; list cut".into());
                    return;
                }
                let file = strings.get(need.vn_file.get(endian).into()).map(|f| lossy(f, limits)).unwrap_or_default();
                let mut versions = Vec::new();
                loop {
                    match aux.next() {
                        Ok(Some(a)) => {
                            total += 1;
                            if total > limits.max_list {
                                warnings.push("too many version needs; list cut".into());
                                break;
                            }
                            if let Some(n) = strings.get(a.vna_name.get(endian).into()) {
                                versions.push(lossy(n, limits));
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            warnings.push(format!("vernaux unreadable: {e}"));
                            break;
                        }
                    }
                }
                out.push(VersionNeed { file, versions });
                if total > limits.max_list {
                    return;
                }
            }
            Ok(None) => return,
            Err(e) => {
                warnings.push(format!("verneed unreadable: {e}"));
                return;
            }
        }
    }
}
