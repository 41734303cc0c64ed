//! What each subcommand does.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use dongbo_domain::access::{Grant, PasswordPolicy, Role};
use dongbo_domain::{Directory, clock, text};
use dongbo_import::{ExportFormat, Format, Limits};
use dongbo_store::accounts::{self, NewUser};
use dongbo_store::{
    Assigning, Conflict, Db, FileWins, SaveOutcome, Settled, SourceInfo, audit, indicators,
    programs,
};

use crate::{AuditCommand, Cli, Command, IndicatorCommand, RoleAction, UserCommand, bootstrap};

/// Who the audit log names for changes made from the command line.
const CLI_ACTOR: &str = "cli";

pub async fn run(cli: Cli) -> Result<ExitCode> {
    let database_url = cli.database_url.as_deref();
    match cli.command {
        Command::Serve {
            listen,
            trusted_proxies,
            smtp,
            smtp_from,
            base_url,
            remind_before,
            remind_every,
            admin_listen,
            log_format: _,
            max_connections,
            header_timeout,
            body_timeout,
            library_allow_net,
            library_host_pause_ms,
            library_ca_file,
            sso,
        } => {
            let mut reminders = remind_config(smtp.as_deref(), &smtp_from, base_url)?;
            reminders.lead_days = remind_before.days().to_vec();
            reminders.interval = std::time::Duration::from_secs(remind_every);
            let listen = Listen {
                app: &listen,
                trusted_proxies: dongbo_web::client_address::TrustedProxies::new(trusted_proxies),
                admin: admin_listen.as_deref(),
                limits: dongbo_web::server::ServeLimits {
                    max_connections: max_connections as usize,
                    header_timeout: std::time::Duration::from_secs(header_timeout),
                    body_timeout: std::time::Duration::from_secs(body_timeout),
                },
            };
            // Read before anything starts: a bad CA file stops the server with its name.
            let trust = dongbo_library::http::Trust::load(library_ca_file.as_deref())
                .map_err(|e| anyhow::anyhow!("--library-ca-file: {e}"))?;
            let pull = Pull {
                allow: library_allow_net,
                host_pause: std::time::Duration::from_millis(library_host_pause_ms),
                trust,
            };
            serve(&cli.data_dir, database_url, listen, reminders, pull, *sso).await
        }
        Command::Migrate => {
            let db = bootstrap::open(&cli.data_dir, database_url).await?;
            bootstrap::load_directory(&db).await?;
            bootstrap::ensure_admin(&db).await?;
            bootstrap::seed_library_topics(&db).await?;
            println!("database ready");
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            file,
            format,
            number,
            dry_run,
            json,
            accept_file,
        } => {
            let options = ImportOptions {
                number,
                dry_run,
                json,
                file_wins: if accept_file {
                    FileWins::Always
                } else {
                    FileWins::Never
                },
            };
            import(&cli.data_dir, database_url, &file, &format, &options).await
        }
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
        Command::User { command } => {
            let db = bootstrap::open(&cli.data_dir, database_url).await?;
            let directory = bootstrap::load_directory(&db).await?;
            user(&db, &directory, command).await
        }
        Command::Gen {
            scale,
            seed,
            force,
            library_items,
        } => {
            crate::generate::run(
                &cli.data_dir,
                database_url,
                &scale,
                seed,
                force,
                library_items,
            )
            .await
        }
        Command::Audit { command } => {
            let db = bootstrap::open(&cli.data_dir, database_url).await?;
            audit_command(&db, command).await
        }
        Command::Ops(command) => crate::ops::run(&cli.data_dir, database_url, command).await,
        Command::Library { command } => {
            crate::library::run(&cli.data_dir, database_url, command).await
        }
        Command::Indicators {
            command:
                IndicatorCommand::Import {
                    program,
                    file,
                    format,
                    dry_run,
                },
        } => {
            import_indicators(
                &cli.data_dir,
                database_url,
                &program,
                &file,
                &format,
                dry_run,
            )
            .await
        }
    }
}

/// `dongbo indicators import PROGRAM FILE`: the appendix's indicators, stored by code.
async fn import_indicators(
    data_dir: &Path,
    database_url: Option<&str>,
    program: &str,
    file: &Path,
    format: &str,
    dry_run: bool,
) -> Result<ExitCode> {
    let (format, bytes, file_name) = read_input(file, format).await?;
    let db = bootstrap::open(data_dir, database_url).await?;
    let directory = bootstrap::load_directory(&db).await?;
    bootstrap::load_bundled_program(&db, &directory).await?;
    let program_id = find_program(&db, program).await?;
    let stored = programs::get(&db, program_id)
        .await?
        .context("program vanished while importing its indicators")?;
    // Agency names mean what they meant on the program's date.
    let as_of = stored.program.document.issued_on;
    // File parsing is CPU work: keep it off the async runtime.
    let imported = tokio::task::spawn_blocking(move || {
        dongbo_import::import_indicators(&bytes, &file_name, format, &directory, as_of)
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
    for warning in &imported.warnings {
        writeln!(stdout, "warning: {warning}")?;
    }
    if dry_run {
        for indicator in &imported.indicators {
            writeln!(
                stdout,
                "{} {} — {} [{}{}]",
                indicator.code,
                indicator.name,
                indicator
                    .targets
                    .iter()
                    .map(|t| match t.year {
                        Some(year) => format!("{} ({year})", t.text),
                        None => t.text.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                indicator.direction.as_str(),
                if indicator.direction_confirmed {
                    ""
                } else {
                    ", to confirm"
                }
            )?;
        }
        writeln!(
            stdout,
            "{} indicators (dry run: nothing stored)",
            imported.indicators.len()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = indicators::upsert(&db, program_id, &imported.indicators, CLI_ACTOR)
        .await
        .context("storing the indicators")?;
    writeln!(
        stdout,
        "indicators of program {program_id}: {} added, {} changed, {} unchanged",
        outcome.added, outcome.changed, outcome.unchanged
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The reminder settings of `dongbo serve`.
fn remind_config(
    smtp: Option<&str>,
    from: &str,
    base_url: Option<String>,
) -> Result<dongbo_remind::RemindConfig> {
    let smtp = match smtp {
        Some(address) => {
            let (host, port) = address
                .rsplit_once(':')
                .with_context(|| format!("--smtp {address}: expected HOST:PORT"))?;
            let port: u16 = port
                .parse()
                .with_context(|| format!("--smtp {address}: the port is not a number"))?;
            Some(dongbo_remind::SmtpConfig::new(host, port, from))
        }
        None => None,
    };
    Ok(dongbo_remind::RemindConfig {
        smtp,
        base_url,
        ..Default::default()
    })
}

/// The addresses `dongbo serve` listens on: the application, and the admin listener when
/// asked for.
struct Listen<'a> {
    app: &'a str,
    /// The reverse proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`).
    trusted_proxies: dongbo_web::client_address::TrustedProxies,
    admin: Option<&'a str>,
    /// Connections and timeouts of the application's listener.
    limits: dongbo_web::server::ServeLimits,
}

/// How `dongbo serve` polls the library's pull sources.
struct Pull {
    /// The networks sources may reach besides public addresses (`--library-allow-net`).
    allow: Vec<dongbo_library::feeds::address::Cidr>,
    /// Between two requests to one host (`--library-host-pause-ms`).
    host_pause: std::time::Duration,
    /// The CAs https sources are checked against (`--library-ca-file`).
    trust: dongbo_library::http::Trust,
}

async fn serve(
    data_dir: &Path,
    database_url: Option<&str>,
    listen: Listen<'_>,
    reminders: dongbo_remind::RemindConfig,
    pull: Pull,
    sso: crate::sso::SsoArgs,
) -> Result<ExitCode> {
    let db = bootstrap::open(data_dir, database_url).await?;
    let directory = bootstrap::load_directory(&db).await?;
    // Checked before anything listens: a wrong SSO setting stops the server with its flag.
    let sign_in = sso.sign_in(&directory)?;
    bootstrap::ensure_admin(&db).await?;
    bootstrap::load_bundled_program(&db, &directory).await?;
    bootstrap::seed_library_topics(&db).await?;
    let listener = tokio::net::TcpListener::bind(listen.app)
        .await
        .with_context(|| format!("listening on {}", listen.app))?;
    let admin_listener = match listen.admin {
        Some(admin) => Some(
            tokio::net::TcpListener::bind(admin)
                .await
                .with_context(|| format!("listening on {admin} (--admin-listen)"))?,
        ),
        None => None,
    };
    let address = listener.local_addr()?;
    tracing::info!(%address, "serving Đồng Bộ on http://{address}/");
    dongbo_programs::synthesis::warm_up_in_background();
    let mut state = dongbo_web::AppState::new(
        db,
        directory,
        dongbo_store::EvidenceStore::default_dir(data_dir),
    )
    .with_trusted_proxies(listen.trusted_proxies)
    .with_sign_in(sign_in);
    let policy = dongbo_library::feeds::address::AddressPolicy::allowing(pull.allow);
    state.library = std::sync::Arc::new(
        (*state.library)
            .clone()
            .with_address_policy(policy)
            .with_trust(pull.trust),
    );
    // Shutting down: Ctrl-C (SIGINT) stops both listeners.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let signal = async move {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
        let _ = stop.send(true);
    };
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let admin_task = match admin_listener {
        Some(admin_listener) => {
            let address = admin_listener.local_addr()?;
            tracing::info!(%address, "serving metrics on http://{address}/metrics");
            let state = state.clone();
            let shutdown = until_stopped(stopped.clone());
            Some(tokio::spawn(async move {
                dongbo_web::observe::serve_admin(admin_listener, state, shutdown).await
            }))
        }
        None => None,
    };
    // Reminders (đôn đốc) run beside the server on the same database.
    let runner = dongbo_remind::Runner::new(state.programs.db.clone(), reminders)
        .with_clock(state.clock)
        .with_done_source(dongbo_remind::AcceptedReports)
        .with_sent_counter(state.metrics.reminders_counter());
    let reminder_stop = until_stopped(stopped.clone());
    let reminder_task = tokio::spawn(async move {
        runner.run_forever(reminder_stop).await;
    });
    // The library's index follows the database's change feed: this server's writes, another
    // server's on the same PostgreSQL, a restore; it catches up at start by itself.
    if let Some(indexer) = state.indexer() {
        let index_stop = until_stopped(stopped.clone());
        tokio::spawn(indexer.run(LIBRARY_INDEX_EVERY, index_stop));
    }
    // The library's pull sources: due sources claimed in the database (another server on the
    // same PostgreSQL never polls one at the same time), polled, their health recorded.
    let settings = dongbo_library::feeds::PollSettings {
        limits: dongbo_library::feeds::fetch::FetchLimits {
            host_pause: pull.host_pause,
            ..Default::default()
        },
        ..Default::default()
    };
    match dongbo_library::feeds::Poller::new((*state.library).clone(), settings) {
        Ok(poller) => {
            let poll_stop = until_stopped(stopped.clone());
            tokio::spawn(poller.run(LIBRARY_POLL_EVERY, poll_stop));
        }
        Err(error) => {
            tracing::error!(%error, "the library's pull sources are not polled");
        }
    }
    tokio::spawn(signal);
    dongbo_web::server::serve(listener, state, until_stopped(stopped), listen.limits)
        .await
        .context("serving")?;
    let _ = reminder_task.await;
    if let Some(admin_task) = admin_task {
        admin_task.await?.context("serving the admin listener")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// How often a server reads the library's change feed into its index: an item written on
/// another server is found here within this (and the time to index it).
const LIBRARY_INDEX_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// How often a server looks for due pull sources (each is polled at its own interval).
const LIBRARY_POLL_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// How `dongbo import` runs.
struct ImportOptions {
    /// `--number`: the document's number where the file leaves it blank or does not give it.
    number: Option<String>,
    dry_run: bool,
    json: bool,
    /// `--accept-file`: conflicts with approved change requests take the file's value.
    file_wins: FileWins,
}

async fn import(
    data_dir: &Path,
    database_url: Option<&str>,
    file: &Path,
    format: &str,
    options: &ImportOptions,
) -> Result<ExitCode> {
    let (dry_run, json) = (options.dry_run, options.json);
    let (format, bytes, file_name) = read_input(file, format).await?;
    let directory = Directory::bundled();
    let parse_directory = directory.clone();
    let parse_name = file_name.clone();
    // File parsing is CPU work: keep it off the async runtime.
    let imported = tokio::task::spawn_blocking(move || {
        dongbo_import::import(&bytes, &parse_name, format, &parse_directory)
    })
    .await?;
    let mut imported = match imported {
        Ok(imported) => imported,
        Err(error) => {
            eprintln!("dongbo: {error}");
            eprintln!("dongbo: nothing was stored");
            return Ok(ExitCode::FAILURE);
        }
    };
    if let Some(number) = options.number.as_deref()
        && let Err(error) = imported.set_number(number)
    {
        eprintln!("dongbo: {file_name}: --number {number}: {error}");
        eprintln!("dongbo: nothing was stored");
        return Ok(ExitCode::FAILURE);
    }
    // A draft's blank number is filled by the person importing it, never guessed: storing the
    // draft without one would leave a second program behind when the signed text comes.
    if imported.number_left_blank && !dry_run {
        eprintln!(
            "dongbo: {file_name}: the document's number is left blank; give the number it was \
             issued under with --number (for example --number 03/NQ-CP)"
        );
        eprintln!("dongbo: nothing was stored");
        return Ok(ExitCode::FAILURE);
    }
    if dry_run {
        // A re-import's conflicts need the stored program; a dry run opens a database that
        // exists and never creates one.
        let conflicts = match open_existing(data_dir, database_url).await? {
            Some(db) => {
                let preview =
                    programs::preview(&db, &imported.program, &imported.sha256, &options.file_wins)
                        .await
                        .context("comparing the file with the stored program")?;
                db.close().await;
                preview.map(|p| p.conflicts).unwrap_or_default()
            }
            None => Vec::new(),
        };
        let mut stdout = std::io::stdout().lock();
        if json {
            let mut contract = dongbo_import::to_json_contract(&imported);
            if let Some(fields) = contract.as_object_mut() {
                fields.insert("conflicts".to_owned(), serde_json::to_value(&conflicts)?);
            }
            serde_json::to_writer_pretty(&mut stdout, &contract)?;
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
            write_conflicts(&mut stdout, &conflicts)?;
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
    // The program and its assignments in one transaction: never one without the other.
    let saved = programs::reimport_with_assignments(
        &db,
        &imported.program,
        &source,
        Assigning::new(&directory),
        &options.file_wins,
        CLI_ACTOR,
    )
    .await
    .context("storing the program and assigning its tasks")?;
    let outcome = saved.program;
    let mut stdout = std::io::stdout().lock();
    if json {
        let mut answer = outcome_json(&outcome);
        if let Some(fields) = answer.as_object_mut() {
            fields.insert(
                "conflicts".to_owned(),
                serde_json::to_value(&saved.conflicts)?,
            );
        }
        serde_json::to_writer_pretty(&mut stdout, &answer)?;
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
    write_conflicts(&mut stdout, &saved.conflicts)?;
    Ok(ExitCode::SUCCESS)
}

/// The database `dongbo` would open, if it exists: a `--database-url`, or the data folder's
/// SQLite file. Not migrated: a dry run writes nothing.
async fn open_existing(data_dir: &Path, database_url: Option<&str>) -> Result<Option<Db>> {
    let url = match database_url {
        Some(url) => url.to_owned(),
        None if data_dir.join("dongbo.db").exists() => Db::default_url(data_dir),
        None => return Ok(None),
    };
    Ok(Some(
        Db::connect(&url).await.context("opening the database")?,
    ))
}

/// One line per conflict with an approved change request:
/// `! task 3.21 time_frame: the file says «2024»; change request 7 (retime), approved on
/// 2026-12-06 by cp.coordinator («Quyết định số 12/QĐ-BVHTTDL»), made it «Quý II/2027»: kept`.
fn write_conflicts(out: &mut impl Write, conflicts: &[Conflict]) -> std::io::Result<()> {
    for c in conflicts {
        let on = c
            .decided_on
            .map_or_else(|| c.decided_at.clone(), |d| d.to_string());
        let by = c
            .decided_by
            .as_deref()
            .map(|by| format!(" by {by}"))
            .unwrap_or_default();
        let note = c
            .decision_note
            .as_deref()
            .map(|note| format!(" («{note}»)"))
            .unwrap_or_default();
        let settled = match c.settled {
            Settled::KeptDecision => "kept the approved change (--accept-file takes the file's)",
            Settled::TookFile => "took the file's value (--accept-file)",
        };
        writeln!(
            out,
            "! task {} {}: the file says «{}»; change request {} ({}), approved on {on}{by}{note}, \
             made it «{}»: {settled}",
            c.task_code,
            c.field,
            c.file,
            c.change_request_id,
            c.kind.as_str(),
            c.decided,
        )?;
    }
    Ok(())
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

async fn user(db: &Db, directory: &Directory, command: UserCommand) -> Result<ExitCode> {
    let policy = PasswordPolicy::default();
    match command {
        UserCommand::Add {
            username,
            name,
            role,
            agency,
            password_stdin,
        } => {
            let username = accounts::normalize_username(&username)?;
            // Checked before the user exists, so a typo creates nothing.
            let grant = match (role, agency) {
                (Some(role), Some(agency)) => Some(parse_grant(directory, &role, &agency)?),
                _ => None,
            };
            let (password, generated) = if password_stdin {
                (read_password_stdin()?, false)
            } else {
                (generate_password_for(&username)?, true)
            };
            let user = accounts::create_user(
                db,
                CLI_ACTOR,
                &NewUser {
                    username: username.clone(),
                    display_name: name,
                    password: password.clone(),
                    must_change_password: generated,
                },
                &policy,
            )
            .await
            .with_context(|| format!("creating user {username}"))?;
            if let Some(grant) = grant {
                accounts::grant(db, CLI_ACTOR, &user.username, &grant)
                    .await
                    .with_context(|| format!("granting {} to {username}", grant_label(&grant)))?;
            }
            println!("created user {}", user.username);
            if generated {
                print_generated(&user.username, &password);
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Passwd {
            username,
            password_stdin,
            must_change,
        } => {
            let username = accounts::normalize_username(&username)?;
            let (password, must_change) = if password_stdin {
                (read_password_stdin()?, must_change)
            } else {
                (generate_password_for(&username)?, true)
            };
            accounts::set_password(db, CLI_ACTOR, &username, &password, must_change, &policy)
                .await
                .with_context(|| format!("setting the password of {username}"))?;
            println!("password of {username} changed");
            if !password_stdin {
                print_generated(&username, &password);
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Role {
            username,
            action,
            role,
            agency,
        } => {
            let grant = parse_grant(directory, &role, &agency)?;
            let label = grant_label(&grant);
            match action {
                RoleAction::Grant => {
                    let added = accounts::grant(db, CLI_ACTOR, &username, &grant)
                        .await
                        .with_context(|| format!("granting {label} to {username}"))?;
                    if added {
                        println!("granted {label} to {username}");
                    } else {
                        println!("{username} already has {label}");
                    }
                }
                RoleAction::Revoke => {
                    let removed = accounts::revoke(db, CLI_ACTOR, &username, &grant)
                        .await
                        .with_context(|| format!("revoking {label} from {username}"))?;
                    if removed {
                        println!("revoked {label} from {username}");
                    } else {
                        println!("{username} did not have {label}");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Token { username, name } => create_token(db, &username, &name).await,
        UserCommand::Tokens { username } => list_tokens(db, &username).await,
        UserCommand::RevokeToken { id } => revoke_token(db, id).await,
        UserCommand::LogoutEverywhere { username } => {
            let revoked = accounts::log_out_everywhere(db, CLI_ACTOR, &username)
                .await
                .with_context(|| format!("logging {username} out everywhere"))?;
            println!(
                "{username} logged out everywhere: sessions ended, {revoked} API tokens revoked"
            );
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Disable { username } => set_disabled(db, &username, true).await,
        UserCommand::Enable { username } => set_disabled(db, &username, false).await,
        UserCommand::List => {
            let users = accounts::list_users(db).await.context("listing users")?;
            let locks = dongbo_store::login_attempts::locks(db, clock::now())
                .await
                .context("listing the login locks")?;
            let mut stdout = std::io::stdout().lock();
            for entry in users {
                let user = &entry.user;
                let grants: Vec<String> = entry.grants.iter().map(grant_label).collect();
                let mut flags = Vec::new();
                if user.disabled {
                    flags.push("disabled".to_owned());
                }
                if user.must_change_password {
                    flags.push("must change password".to_owned());
                }
                // Locked for some addresses (each from its own failures), not for everyone.
                let locked: Vec<_> = locks
                    .iter()
                    .filter(|l| l.username == user.username)
                    .collect();
                if let Some(until) = locked.iter().map(|l| l.locked_until).max() {
                    flags.push(format!(
                        "locked for {} address(es) until {}",
                        locked.len(),
                        until.to_rfc3339()
                    ));
                }
                writeln!(
                    stdout,
                    "{}\t{}\t{}\t{}",
                    user.username,
                    user.display_name,
                    if grants.is_empty() {
                        "-".to_owned()
                    } else {
                        grants.join(", ")
                    },
                    flags.join(", ")
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `dongbo user token`: the token is printed once, on standard output (never in the log).
async fn create_token(db: &Db, username: &str, name: &str) -> Result<ExitCode> {
    let username = accounts::normalize_username(username)?;
    let created = accounts::create_api_token(db, CLI_ACTOR, &username, name, clock::now())
        .await
        .with_context(|| format!("creating an API token for {username}"))?;
    println!(
        "API token {} for {username} (shown only this once; send it as \
         `Authorization: Bearer <token>`):",
        created.id
    );
    println!("{}", created.token);
    Ok(ExitCode::SUCCESS)
}

/// `dongbo user tokens`: one line per token, tab-separated.
async fn list_tokens(db: &Db, username: &str) -> Result<ExitCode> {
    let tokens = accounts::api_tokens_of(db, username)
        .await
        .with_context(|| format!("listing the API tokens of {username}"))?;
    let mut stdout = std::io::stdout().lock();
    for token in tokens {
        writeln!(
            stdout,
            "{}\t{}\t{}\t{}\t{}",
            token.id,
            token.name,
            token.created_at.to_rfc3339(),
            token
                .last_used_at
                .map_or_else(|| "never used".to_owned(), |t| t.to_rfc3339()),
            if token.revoked { "revoked" } else { "live" }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `dongbo user revoke-token`.
async fn revoke_token(db: &Db, id: i64) -> Result<ExitCode> {
    let revoked = accounts::revoke_api_token(db, CLI_ACTOR, id)
        .await
        .with_context(|| format!("revoking API token {id}"))?;
    if revoked {
        println!("API token {id} revoked");
    } else {
        println!("API token {id} was not live (unknown or already revoked)");
    }
    Ok(ExitCode::SUCCESS)
}

async fn set_disabled(db: &Db, username: &str, disabled: bool) -> Result<ExitCode> {
    let word = if disabled { "disabled" } else { "enabled" };
    let changed = accounts::set_disabled(db, CLI_ACTOR, username, disabled)
        .await
        .with_context(|| format!("setting {username} {word}"))?;
    let username = accounts::normalize_username(username)?;
    if changed {
        println!("{username} {word}");
    } else {
        println!("{username} was already {word}");
    }
    Ok(ExitCode::SUCCESS)
}

/// "reporter on HN".
fn grant_label(grant: &Grant) -> String {
    format!("{} on {}", grant.role, grant.agency_code)
}

/// A role and an agency code as typed, checked against the directory.
fn parse_grant(directory: &Directory, role: &str, agency: &str) -> Result<Grant> {
    let role: Role = role.parse()?;
    let code = text::nfc(agency.trim());
    // Codes are upper case in the directory; accept "hn" for "HN".
    let Some(found) = directory
        .agency(&code)
        .or_else(|| directory.agency(&code.to_uppercase()))
    else {
        bail!("unknown agency code {code}");
    };
    Ok(Grant::new(role, found.code.clone()))
}

/// The password on standard input, without its line ending.
fn read_password_stdin() -> Result<String> {
    let mut input = String::new();
    Read::read_to_string(&mut std::io::stdin().lock(), &mut input)
        .context("reading the password from standard input")?;
    let password = input
        .strip_suffix('\n')
        .map(|p| p.strip_suffix('\r').unwrap_or(p))
        .unwrap_or(&input);
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(password.to_owned())
}

/// A generated password that meets the policy for `username`.
fn generate_password_for(username: &str) -> Result<String> {
    loop {
        let password = accounts::generate_password()?;
        if PasswordPolicy::default().check(&password, username).is_ok() {
            return Ok(password);
        }
    }
}

/// Shows a generated password once, on standard output (never in the log).
fn print_generated(username: &str, password: &str) {
    println!("password for {username} (shown only this once; to be changed at first login):");
    println!("{password}");
}

async fn audit_command(db: &Db, command: AuditCommand) -> Result<ExitCode> {
    match command {
        AuditCommand::Verify => {
            let report = audit::verify(db).await.context("verifying the audit log")?;
            match report.first_broken {
                None => {
                    println!("audit log intact: {} entries", report.entries);
                    Ok(ExitCode::SUCCESS)
                }
                Some(seq) => {
                    eprintln!(
                        "dongbo: audit log broken at entry {seq}: {}",
                        report.problem.unwrap_or_default()
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        AuditCommand::Export { output } => {
            let mut csv = Vec::new();
            let count = audit::export_csv(db, &mut csv)
                .await
                .context("exporting the audit log")?;
            match output {
                Some(path) => {
                    tokio::fs::write(&path, &csv)
                        .await
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("{count} audit entries written to {}", path.display());
                }
                None => std::io::stdout().lock().write_all(&csv)?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A file to import as the command line names it: its `--format`, bytes and file name.
async fn read_input(file: &Path, format: &str) -> Result<(Format, Vec<u8>, String)> {
    let format: Format = format
        .parse()
        .map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    let file_name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("input")
        .to_owned();
    // The size from the file's metadata, before anything is read into memory; the read stops
    // one byte past the limit all the same (a file growing meanwhile, a pipe), and the
    // importer checks the length it is given again.
    let limits = Limits::default();
    let size = tokio::fs::metadata(file)
        .await
        .with_context(|| format!("reading {}", file.display()))?
        .len();
    if let Err(error) = limits.check_file_size(&file_name, size) {
        bail!("{error}; nothing was stored");
    }
    let path = file.to_owned();
    let bytes = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        std::fs::File::open(&path)?
            .take(limits.file_bytes.saturating_add(1))
            .read_to_end(&mut bytes)?;
        Ok(bytes)
    })
    .await?
    .with_context(|| format!("reading {}", file.display()))?;
    Ok((format, bytes, file_name))
}
