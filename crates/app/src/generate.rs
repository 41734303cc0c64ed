//! `dongbo gen`: the synthetic dataset (`dongbo_gen`) with a progress bar per phase on
//! standard error (hidden when it is not a terminal) and the throughput at the end.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use dongbo_gen::{Options, Progress, Scale, Summary};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::bootstrap;

/// Prepares the database as a first run would (directory, the bundled 47/NQ-CP) and
/// generates the dataset into it.
pub async fn run(
    data_dir: &Path,
    database_url: Option<&str>,
    scale: &str,
    seed: u64,
    force: bool,
    library_items: Option<u64>,
) -> Result<ExitCode> {
    let scale = Scale::parse(scale)
        .ok_or_else(|| anyhow!("unknown scale «{scale}»: expected small, province or national"))?;
    let db = bootstrap::open(data_dir, database_url).await?;
    let directory = bootstrap::load_directory(&db).await?;
    bootstrap::load_bundled_program(&db, &directory).await?;
    let bars = Bars::new();
    let options = Options {
        scale,
        seed,
        force,
        library_items,
    };
    let summary = dongbo_gen::generate(&db, &directory, &options, &bars)
        .await
        .with_context(|| format!("generating the {} dataset", scale.name()))?;
    print_summary(scale, seed, &summary);
    Ok(ExitCode::SUCCESS)
}

/// One indicatif bar per phase, drawn on standard error only when it is a terminal.
struct Bars {
    current: std::sync::Mutex<Option<ProgressBar>>,
}

impl Bars {
    fn new() -> Bars {
        Bars {
            current: std::sync::Mutex::new(None),
        }
    }

    fn with(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        // A poisoned lock means a panic elsewhere; the bars are not worth a second one.
        if let Ok(mut bar) = self.current.lock() {
            f(&mut bar);
        }
    }
}

impl Progress for Bars {
    fn start(&self, phase: &str, total: u64) {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        // `ProgressDrawTarget::stderr` draws nothing when standard error is not a terminal.
        let style = ProgressStyle::with_template("{prefix:>10} [{bar:40}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(phase.to_owned());
        bar.enable_steady_tick(Duration::from_millis(250));
        self.with(|current| *current = Some(bar));
    }

    fn advance(&self, steps: u64) {
        self.with(|current| {
            if let Some(bar) = current {
                bar.inc(steps);
            }
        });
    }

    fn finish(&self) {
        self.with(|current| {
            if let Some(bar) = current.take() {
                bar.finish();
            }
        });
    }
}

fn print_summary(scale: Scale, seed: u64, summary: &Summary) {
    println!("generated the {} dataset (seed {seed})", scale.name());
    println!(
        "{:<20} {:>12} {:>10} {:>12}",
        "table", "rows", "seconds", "rows/s"
    );
    for table in &summary.tables {
        let seconds = table.elapsed.as_secs_f64();
        let rate = if seconds > 0.0 {
            format!("{:.0}", precise(table.rows) / seconds)
        } else {
            "-".to_owned()
        };
        println!(
            "{:<20} {:>12} {:>10.1} {:>12}",
            table.table, table.rows, seconds, rate
        );
    }
    println!("total time {:.1} s", summary.elapsed.as_secs_f64());
}

/// A row count as a float for a rate (exact below 2^53, which any count here is).
fn precise(rows: u64) -> f64 {
    u32::try_from(rows).map_or_else(|_| rows as f64, f64::from)
}
