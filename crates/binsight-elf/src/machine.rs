//! ELF e_machine → the architecture names users know (the `uname -m` / Rust target spelling).

/// Architecture name for an `e_machine` value, class (32/64) and byte order.
pub fn machine_name(em: u16, class: u8, little: bool) -> String {
    let s = match (em, class, little) {
        (62, _, _) => "x86_64",
        (3, _, _) => "i386",
        (183, _, _) => "aarch64",
        (40, _, true) => "arm",
        (40, _, false) => "armeb",
        (243, 64, _) => "riscv64",
        (243, _, _) => "riscv32",
        (8, 64, true) => "mips64el",
        (8, 64, false) => "mips64",
        (8, _, true) => "mipsel",
        (8, _, false) => "mips",
        (20, _, _) => "ppc",
        (21, _, true) => "ppc64le",
        (21, _, false) => "ppc64",
        (22, 64, _) => "s390x",
        (22, _, _) => "s390",
        (258, _, _) => "loongarch64",
        (43, _, _) => "sparc64",
        (2 | 18, _, _) => "sparc",
        (42, _, _) => "sh",
        (4, _, _) => "m68k",
        (189, _, _) => "microblaze",
        (15, _, _) => "parisc",
        (41, _, _) => "alpha",
        (50, _, _) => "ia64",
        (93 | 0xa5c0, _, _) => "arc",
        (164, _, _) => "hexagon",
        (247, _, _) => "bpf",
        (252, _, _) => "csky",
        (92, _, _) => "openrisc",
        (94, _, _) => "xtensa",
        (0, _, _) => "none",
        _ => return format!("em-{em}"),
    };
    s.to_string()
}
