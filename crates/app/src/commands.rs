//! What each subcommand does.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use dongbo_domain::Directory;
use dongbo_import::{ExportFormat, Format};
use dongbo_store::{Db, SaveOutcome, SourceInfo, programs};

use crate::{Cli, Command, bootstrap};

pub async fn run(cli: Cli) -> Result<ExitCode> {
    let database_url = cli.database_url.as_deref();
    match cli.command {
        Command::Serve { listen } => serve(&cli.data_dir, database_url, &listen).await,
        Command::Migrate => {
            let db = bootstrap::open(&cli.data_dir, database_url).await?;
            bootstrap::load_directory(&db).await?;
            println!("database ready");
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            file,
            format,
            dry_run,
            json,
        } => import(&cli.data_dir, database_url, &file, &format, dry_run, json).await,
        Command::Export {
            program,
            format,
            output,
        } => {
            export(
                &cli.data_dir,
                database_url,
                &program,
                &format,
                output.as_deref(),
            )
            .await
        }
    }
}

async fn serve(data_dir: &Path, database_url: Option<&str>, listen: &str) -> Result<ExitCode> {
    let db = bootstrap::open(data_dir, database_url).await?;
    let directory = bootstrap::load_directory(&db).await?;
    bootstrap::load_bundled_program(&db, &directory).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "serving Đồng Bộ on http://{address}/");
    let state = dongbo_web::AppState {
        db,
        directory: Arc::new(directory),
    };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    };
    dongbo_web::serve(listener, state, shutdown)
        .await
        .context("serving")?;
    Ok(ExitCode::SUCCESS)
}

async fn import(
    data_dir: &Path,
    database_url: Option<&str>,
    file: &Path,
    format: &str,
    dry_run: bool,
    json: bool,
) -> Result<ExitCode> {
    let format: Format = format
        .parse()
        .map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    let bytes = tokio::fs::read(file)
        .await
        .with_context(|| format!("reading {}", file.display()))?;
    let file_name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("input")
        .to_owned();
    let directory = Directory::bundled();
    let parse_directory = directory.clone();
    let parse_name = file_name.clone();
    // File parsing is CPU work: keep it off the async runtime.
    let imported = tokio::task::spawn_blocking(move || {
        dongbo_import::import(&bytes, &parse_name, format, &parse_directory)
    })
    .await?;
    let imported = match imported {
        Ok(imported) => imported,
        Err(error) => {
            eprintln!("dongbo: {error}");
            eprintln!("dongbo: nothing was stored");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut stdout = std::io::stdout().lock();
    if dry_run {
        if json {
            serde_json::to_writer_pretty(&mut stdout, &dongbo_import::to_json_contract(&imported))?;
            writeln!(stdout)?;
        } else {
            writeln!(
                stdout,
                "{} (dry run: nothing stored)",
                summary(&imported.program)
            )?;
            for warning in &imported.program.warnings {
                writeln!(stdout, "warning: {warning}")?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }

    let db = bootstrap::open(data_dir, database_url).await?;
    let directory = bootstrap::load_directory(&db).await?;
    let source = SourceInfo {
        file_name,
        format: imported.format.to_string(),
        sha256: imported.sha256.clone(),
    };
    let outcome = programs::save(&db, &imported.program, &source)
        .await
        .context("storing the program")?;
    if !matches!(outcome, SaveOutcome::Unchanged { .. }) {
        bootstrap::assign(&db, outcome.program_id(), &directory).await?;
    }
    if json {
        serde_json::to_writer_pretty(&mut stdout, &outcome_json(&outcome))?;
        writeln!(stdout)?;
        return Ok(ExitCode::SUCCESS);
    }
    match &outcome {
        SaveOutcome::Created { program_id } => writeln!(
            stdout,
            "imported {} as program {program_id}",
            summary(&imported.program)
        )?,
        SaveOutcome::Unchanged { program_id } => writeln!(
            stdout,
            "unchanged: program {program_id} already holds {}",
            summary(&imported.program)
        )?,
        SaveOutcome::Updated { program_id, diff } => {
            writeln!(stdout, "changes to program {program_id}:")?;
            writeln!(stdout, "{diff}")?;
            writeln!(stdout, "applied: {}", summary(&imported.program))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(program: &dongbo_domain::ImportedProgram) -> String {
    format!(
        "{}: {} tasks in {} groups",
        program
            .document
            .number
            .as_deref()
            .unwrap_or(&program.document.title),
        program.tasks.len(),
        program.groups.len()
    )
}

fn outcome_json(outcome: &SaveOutcome) -> serde_json::Value {
    match outcome {
        SaveOutcome::Created { program_id } => {
            serde_json::json!({"outcome": "created", "program_id": program_id})
        }
        SaveOutcome::Unchanged { program_id } => {
            serde_json::json!({"outcome": "unchanged", "program_id": program_id})
        }
        SaveOutcome::Updated { program_id, diff } => {
            serde_json::json!({"outcome": "updated", "program_id": program_id, "diff": diff.to_string()})
        }
    }
}

async fn export(
    data_dir: &Path,
    database_url: Option<&str>,
    program: &str,
    format: &str,
    output: Option<&Path>,
) -> Result<ExitCode> {
    let format = match format {
        "md" | "markdown" => ExportFormat::Markdown,
        "csv" => ExportFormat::Csv,
        "xlsx" => ExportFormat::Xlsx,
        other => bail!("--format: unknown export format «{other}» (md, csv or xlsx)"),
    };
    let db = bootstrap::open(data_dir, database_url).await?;
    let directory = bootstrap::load_directory(&db).await?;
    bootstrap::load_bundled_program(&db, &directory).await?;
    let id = find_program(&db, program).await?;
    let stored = programs::get(&db, id)
        .await?
        .context("program vanished while exporting")?;
    let bytes = dongbo_import::export(&stored.program, format).context("exporting")?;
    match output {
        Some(path) => tokio::fs::write(path, &bytes)
            .await
            .with_context(|| format!("writing {}", path.display()))?,
        None if matches!(format, ExportFormat::Xlsx) => bail!("XLSX is binary: give --output FILE"),
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn find_program(db: &Db, program: &str) -> Result<i64> {
    if let Some(id) = programs::find_by_number(db, program).await? {
        return Ok(id);
    }
    if let Ok(id) = program.parse::<i64>()
        && programs::get(db, id).await?.is_some()
    {
        return Ok(id);
    }
    bail!("no program numbered or with id «{program}»")
}
