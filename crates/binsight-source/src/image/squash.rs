//! Squashing: which files of which layers are in the final filesystem, after whiteouts,
//! opaque directories and later layers; hard links to ELF files reported under their own path.
//! Linear in the total length of the paths.

use std::collections::{HashMap, HashSet};

use super::layer::{Kind, LayerRead};
use super::types::{EntryError, ImageFile, ImageInfo, ImageLimits};

/// Paths of an image interned by (parent, name), so a path costs its length once, however
/// deep it is nested; per path, the highest layer that sets or hides it and the highest layer
/// that hides what is under it.
#[derive(Default)]
struct Tree {
    ids: HashMap<(u32, String), u32>,
    parent: Vec<u32>,
    /// Highest layer (+1; 0 = none) with an entry or whiteout at this path.
    set_at: Vec<u32>,
    /// Highest layer (+1) that hides this path's descendants: a whiteout, an opaque marker or a
    /// non-directory here.
    hides_below: Vec<u32>,
}

// Ids and layer numbers are u32 to halve the tables: 2^32 paths would take hundreds of GiB
// of names first, and layers are capped by `ImageLimits::max_layers`.
#[allow(clippy::cast_possible_truncation)]
impl Tree {
    fn new() -> Tree {
        Tree { parent: vec![0], set_at: vec![0], hides_below: vec![0], ..Default::default() }
    }

    fn intern(&mut self, path: &str) -> u32 {
        let mut id = 0u32;
        for c in path.split('/').filter(|c| !c.is_empty()) {
            id = match self.ids.get(&(id, c.to_string())) {
                Some(&k) => k,
                None => {
                    let k = self.parent.len() as u32;
                    self.ids.insert((id, c.to_string()), k);
                    self.parent.push(id);
                    self.set_at.push(0);
                    self.hides_below.push(0);
                    k
                }
            };
        }
        id
    }
}

/// The tree of every layer's paths, and for each path the highest layer hiding it from above
/// (through any ancestor).
struct Visibility {
    tree: Tree,
    above: Vec<u32>,
}

// Layer numbers as in `Tree` (u32; layers are capped by `ImageLimits::max_layers`).
#[allow(clippy::cast_possible_truncation)]
impl Visibility {
    fn of<R>(reads: &[Option<LayerRead<R>>]) -> Visibility {
        let mut tree = Tree::new();
        for (li, read) in reads.iter().enumerate() {
            let Some(r) = read else { continue };
            let at = li as u32 + 1;
            for (p, kind) in &r.view.entries {
                let id = tree.intern(p) as usize;
                tree.set_at[id] = at;
                if *kind != Kind::Dir {
                    tree.hides_below[id] = at;
                }
            }
            for p in &r.view.whiteouts {
                let id = tree.intern(p) as usize;
                tree.set_at[id] = at;
                tree.hides_below[id] = at;
            }
            for p in &r.view.opaque {
                let id = tree.intern(p) as usize;
                tree.hides_below[id] = tree.hides_below[id].max(at);
            }
        }
        // Parents come first.
        let mut above = vec![0u32; tree.parent.len()];
        for id in 1..tree.parent.len() {
            let p = tree.parent[id] as usize;
            above[id] = above[p].max(tree.hides_below[p]);
        }
        Visibility { tree, above }
    }

    fn lookup(&self, path: &str) -> Option<usize> {
        let mut id = 0u32;
        for c in path.split('/').filter(|c| !c.is_empty()) {
            id = *self.tree.ids.get(&(id, c.to_string()))?;
        }
        Some(id as usize)
    }

    /// Is `path` of layer `li` visible? Only if no higher layer sets it or hides it from above
    /// (an opaque marker of `li` itself hides only lower layers).
    fn visible(&self, li: usize, path: &str) -> bool {
        self.lookup(path).is_some_and(|id| self.tree.set_at[id] <= li as u32 + 1 && self.above[id] <= li as u32 + 1)
    }
}

/// Package-database files of the final filesystem: (path, bytes).
pub(crate) type DbFiles = Vec<(String, Vec<u8>)>;

/// The symbolic links of the final filesystem: (path, target as written), in path order.
pub(crate) fn symlinks<R>(reads: &[Option<LayerRead<R>>]) -> Vec<(String, String)> {
    let vis = Visibility::of(reads);
    let mut m: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for (li, read) in reads.iter().enumerate() {
        for (p, t) in read.iter().flat_map(|r| &r.symlinks) {
            if vis.visible(li, p) {
                m.insert(p, t);
            }
        }
    }
    m.into_iter().map(|(p, t)| (p.to_string(), t.to_string())).collect()
}

/// Apply whiteouts, opaque directories and later layers: which files of which layers are in the
/// final filesystem, how many visible regular files are not ELF, the entry errors of it, and its
/// package-database files.
pub(crate) fn squash<R: Clone>(
    info: &ImageInfo,
    reads: &[Option<LayerRead<R>>],
    limits: &ImageLimits,
) -> (Vec<ImageFile<R>>, u64, Vec<EntryError>, DbFiles) {
    let vis = Visibility::of(reads);
    // Package-database files: the visible copy, the topmost layer's.
    let mut db: std::collections::BTreeMap<&str, &Vec<u8>> = std::collections::BTreeMap::new();
    for (li, read) in reads.iter().enumerate() {
        for (p, b) in read.iter().flat_map(|r| &r.db_files) {
            if vis.visible(li, p) {
                db.insert(p, b);
            }
        }
    }
    let db_files = db.into_iter().map(|(p, b)| (p.to_string(), b.clone())).collect();
    let mut files: Vec<ImageFile<R>> = Vec::new();
    let mut non_elf = 0u64;
    for (li, read) in reads.iter().enumerate() {
        let Some(r) = read else { continue };
        non_elf += r.non_elf.iter().filter(|p| vis.visible(li, p)).count() as u64;
        for (p, size, result) in &r.files {
            if vis.visible(li, p) {
                files.push(ImageFile {
                    path: p.clone(),
                    layer: info.layers[li].digest.clone(),
                    size: *size,
                    result: result.clone(),
                });
            }
        }
    }
    // A path written twice in one layer: the later entry wins; keep one report.
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let (linked, skipped) = hard_links(info, reads, &vis, limits);
    let mut errors = Vec::new();
    if skipped > 0 {
        errors.push(EntryError {
            path: String::new(),
            layer: None,
            reason: format!(
                "{skipped} more hard links to ELF files not reported (over the cap of {} per image; each shares its target's report)",
                limits.max_link_reports
            ),
        });
    }
    let linked_paths: HashSet<String> = linked.iter().map(|f| f.path.clone()).collect();
    files.retain(|f| !linked_paths.contains(&f.path));
    files.extend(linked);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, non_elf, errors, db_files)
}

/// Hard links: the ELF file their target named in that layer or below (found by hash, not by
/// scanning), reported under the link's own path; at most `max_link_reports` per image (the
/// count of the others is returned).
fn hard_links<R: Clone>(
    info: &ImageInfo,
    reads: &[Option<LayerRead<R>>],
    vis: &Visibility,
    limits: &ImageLimits,
) -> (Vec<ImageFile<R>>, u64) {
    let mut elf_at: HashMap<&str, Vec<(usize, usize)>> = HashMap::new(); // path → (layer, file index)
    let mut link_at: HashMap<&str, Vec<(usize, &str)>> = HashMap::new(); // path → (layer, target)
    for (li, read) in reads.iter().enumerate() {
        let Some(r) = read else { continue };
        for (k, (p, ..)) in r.files.iter().enumerate() {
            elf_at.entry(p).or_default().push((li, k));
        }
        for (p, t) in &r.links {
            link_at.entry(p).or_default().push((li, t));
        }
    }
    let at_or_below = |v: &[(usize, usize)], li: usize| v.iter().rev().find(|(l, _)| *l <= li).copied();
    let mut linked = Vec::new();
    let mut skipped = 0u64;
    for (li, read) in reads.iter().enumerate() {
        let Some(r) = read else { continue };
        for (p, target) in &r.links {
            if !vis.visible(li, p) {
                continue;
            }
            let mut resolved: &str = target;
            for _ in 0..8 {
                match link_at.get(resolved).and_then(|v| v.iter().rev().find(|(l, _)| *l <= li)) {
                    Some((_, t)) if *t != resolved => resolved = t,
                    _ => break,
                }
            }
            let Some((tl, k)) = elf_at.get(resolved).and_then(|v| at_or_below(v, li)) else { continue };
            if linked.len() >= limits.max_link_reports {
                skipped += 1;
                continue;
            }
            let Some(Some(tr)) = reads.get(tl) else { continue };
            let (_, size, result) = &tr.files[k];
            linked.push(ImageFile {
                path: p.clone(),
                layer: info.layers[li].digest.clone(),
                size: *size,
                result: result.clone(),
            });
        }
    }
    (linked, skipped)
}
