//! The `dongbo` binary.
#![forbid(unsafe_code)]
fn main() {}
