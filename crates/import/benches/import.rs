//! Benchmark: importing seed 002 (Resolution 47/NQ-CP, 56 tasks) in process, from bytes to an
//! `ImportedProgram` with every agency resolved and every time frame parsed. Target: < 50 ms.
//! Run by `cargo xtask bench`; figures go to BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use dongbo_domain::Directory;
use dongbo_import::{Format, import};

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seeds/002_00add635214326df.txt"
    );
    let bytes = std::fs::read(path).expect("seed 002");
    let directory = Directory::bundled();

    for _ in 0..10 {
        black_box(import(&bytes, "002.txt", Format::Auto, &directory).expect("seed 002 imports"));
    }
    let runs = 200;
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            black_box(import(black_box(&bytes), "002.txt", Format::Auto, &directory).unwrap());
            started.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "import seed 002 (47/NQ-CP, {} bytes), {runs} runs: min {:.3} ms, median {:.3} ms, p95 {:.3} ms, max {:.3} ms",
        bytes.len(),
        ms(times[0]),
        ms(times[runs / 2]),
        ms(times[runs * 95 / 100]),
        ms(times[runs - 1]),
    );

    // Cold: the directory read from its TOML files, then one import, as a fresh process does.
    let started = Instant::now();
    let directory = Directory::bundled();
    black_box(import(&bytes, "002.txt", Format::Auto, &directory).unwrap());
    let cold = started.elapsed();
    println!("cold (load bundled directory + import): {:.3} ms", ms(cold));

    // One line for `cargo xtask bench`, which writes BENCHMARKS.md from it.
    println!(
        "RESULT import_seed_002 runs={runs} bytes={} min_ms={:.3} median_ms={:.3} p95_ms={:.3} max_ms={:.3} cold_ms={:.3}",
        bytes.len(),
        ms(times[0]),
        ms(times[runs / 2]),
        ms(times[runs * 95 / 100]),
        ms(times[runs - 1]),
        ms(cold),
    );
}
