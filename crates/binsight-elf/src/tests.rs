//! Parsing real and damaged binaries: facts come back or an error, never a panic.

use super::*;

fn host_exe() -> Vec<u8> {
    std::fs::read(std::env::current_exe().expect("current exe")).expect("read self")
}

#[test]
fn parses_own_test_binary() {
    let data = host_exe();
    let elf = Elf::parse(&data, &Limits::default()).expect("parse");
    assert_eq!(elf.facts.class, 64);
    assert_eq!(elf.facts.machine, std::env::consts::ARCH);
    assert!(elf.facts.section_count > 10);
}

#[test]
fn rejects_non_elf() {
    assert_eq!(Elf::parse(b"#!/bin/sh\n", &Limits::default()).err(), Some(ElfError::NotElf));
    assert!(matches!(Elf::parse(b"\x7fELF", &Limits::default()), Err(ElfError::BadHeader(_))));
}

#[test]
fn every_truncation_of_a_real_binary_is_handled() {
    // Truncating at every header-ish boundary must give facts or an error, never a panic.
    let data = host_exe();
    let limits = Limits::default();
    for len in (0..4096).chain((4096..data.len()).step_by(data.len() / 97 + 1)) {
        let _ = Elf::parse(&data[..len], &limits);
    }
}

#[test]
fn corrupting_header_fields_is_handled() {
    let data = host_exe();
    let limits = Limits::default();
    // Overwrite each of the first 64 header bytes, then the program-header table, with 0xff.
    for i in 0..(64 + 56 * 4) {
        let mut d = data.clone();
        d[i] = 0xff;
        let _ = Elf::parse(&d, &limits);
        d[i] = 0x00;
        let _ = Elf::parse(&d, &limits);
    }
}

#[test]
fn vaddr_to_offset_maps_loaded_file_bytes_only() {
    let data = host_exe();
    let elf = Elf::parse(&data, &Limits::default()).expect("parse");
    let load = elf.facts.segments.iter().find(|s| s.kind == "LOAD" && s.filesz > 1).expect("a PT_LOAD");
    assert_eq!(elf.vaddr_to_offset(VirtAddr(load.vaddr)), Some(FileOffset(load.offset)));
    assert_eq!(elf.vaddr_to_offset(VirtAddr(load.vaddr + 1)), Some(FileOffset(load.offset + 1)));
    assert_eq!(elf.vaddr_to_offset(VirtAddr(u64::MAX)), None);
    assert!(elf.executable_sections().any(|(_, b)| !b.is_empty()));
    assert!(elf.facts.sections.iter().any(|s| s.is_executable() && !s.is_nobits()));
}
