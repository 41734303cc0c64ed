//! Opening the database as every command needs it: create the data folder, migrate, load the
//! agency directory when it differs from the bundled one (then bring every program's
//! assignments in step with it), and on first run import the bundled Resolution 47/NQ-CP,
//! assign its tasks and create the `admin` user.

use std::path::Path;

use anyhow::{Context, Result};
use dongbo_domain::Directory;
use dongbo_domain::access::{Grant, PasswordPolicy, ROOT_AGENCY, Role};
use dongbo_import::Format;
use dongbo_store::accounts::{self, AccountError, NewUser};
use dongbo_store::{Assigning, Db, SourceInfo, assignments, directory, programs};

/// The text of Resolution 47/NQ-CP that ships with the binary.
const BUNDLED_PROGRAM: (&str, &[u8]) = (
    "47-NQ-CP.txt",
    include_bytes!("../../../data/programs/47-NQ-CP.txt"),
);
const BUNDLED_NUMBER: &str = "47/NQ-CP";
/// 47/NQ-CP is a program of external information: the successors of the ministries that
/// ended in 2025 are the ones that took over that function.
const BUNDLED_FUNCTION: &str = "external_information";

/// Connects to the configured database and migrates it.
pub async fn open(data_dir: &Path, database_url: Option<&str>) -> Result<Db> {
    let url = match database_url {
        Some(url) => url.to_owned(),
        None => {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("creating the data folder {}", data_dir.display()))?;
            Db::default_url(data_dir)
        }
    };
    let db = Db::connect(&url).await.context("opening the database")?;
    db.migrate().await.context("migrating the database")?;
    Ok(db)
}

/// Makes the stored directory equal to the bundled one; returns it.
pub async fn load_directory(db: &Db) -> Result<Directory> {
    let bundled = Directory::bundled();
    let stored = directory::load(db)
        .await
        .context("reading the agency directory")?;
    if !same_directory(&stored, &bundled) {
        directory::save(db, &bundled)
            .await
            .context("loading the agency directory")?;
        tracing::info!(
            agencies = bundled.agencies.len(),
            sets = bundled.sets.len(),
            "agency directory loaded"
        );
        // Successions and set members may have changed.
        for program in programs::list(db).await.context("listing the programs")? {
            assign(db, program.id, &bundled).await?;
        }
    }
    Ok(bundled)
}

/// Brings the assignments of a program in step with its tasks and the directory.
pub async fn assign(db: &Db, program_id: i64, directory: &Directory) -> Result<()> {
    assignments::sync(db, program_id, directory)
        .await
        .with_context(|| format!("assigning the tasks of program {program_id}"))?;
    Ok(())
}

/// Compares ignoring order, since the store returns agencies sorted by code.
fn same_directory(a: &Directory, b: &Directory) -> bool {
    let sorted = |d: &Directory| {
        let mut d = d.clone();
        d.agencies.sort_by(|x, y| x.code.cmp(&y.code));
        d.sets.sort_by(|x, y| x.code.cmp(&y.code));
        d
    };
    sorted(a) == sorted(b)
}

/// Imports the bundled 47/NQ-CP program when the database has no program of that number.
pub async fn load_bundled_program(db: &Db, directory: &Directory) -> Result<()> {
    if programs::find_by_number(db, BUNDLED_NUMBER)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let (file_name, bytes) = BUNDLED_PROGRAM;
    let parse_directory = directory.clone();
    let imported = tokio::task::spawn_blocking(move || {
        dongbo_import::import(bytes, file_name, Format::Auto, &parse_directory)
    })
    .await?
    .context("importing the bundled 47/NQ-CP program")?;
    let source = SourceInfo {
        file_name: file_name.to_owned(),
        format: imported.format.to_string(),
        sha256: imported.sha256.clone(),
    };
    // One transaction: a first run stopped half-way must not leave 47/NQ-CP stored without
    // its assignments, since the next run finds the program and loads it no more.
    programs::save_with_assignments(
        db,
        &imported.program,
        &source,
        Assigning::new(directory).with_successor_function(BUNDLED_FUNCTION),
    )
    .await
    .context("storing the bundled program and assigning its tasks")?;
    tracing::info!(
        tasks = imported.program.tasks.len(),
        "bundled program 47/NQ-CP loaded"
    );
    Ok(())
}

/// The user the first run creates.
pub const FIRST_ADMIN: &str = "admin";

/// Gives a library with no topics the starting vocabulary (`data/library/topics.toml`); a
/// vocabulary its admins have made is left as it is.
pub async fn seed_library_topics(db: &Db) -> Result<()> {
    let shipped = dongbo_domain::library::bundled_topics();
    match dongbo_store::library::topics::seed(db, &shipped, "system", dongbo_domain::clock::now())
        .await
    {
        Ok(_) => Ok(()),
        // A database served for reading only keeps the vocabulary it has.
        Err(error) if error.refuses_writes() => {
            tracing::warn!(%error, "the library's topics could not be seeded");
            Ok(())
        }
        Err(error) => Err(error).context("seeding the library's topics"),
    }
}

/// When the database has no user, creates [`FIRST_ADMIN`] with the Admin role on the whole
/// government tree and a generated password that must be changed at first login. The password
/// is written once to standard error, never to the log. Needs the directory loaded.
pub async fn ensure_admin(db: &Db) -> Result<()> {
    if accounts::count_users(db).await.context("counting users")? > 0 {
        return Ok(());
    }
    let password = loop {
        let password = accounts::generate_password()?;
        if PasswordPolicy::default()
            .check(&password, FIRST_ADMIN)
            .is_ok()
        {
            break password;
        }
    };
    let created = accounts::create_user(
        db,
        "system",
        &NewUser {
            username: FIRST_ADMIN.to_owned(),
            display_name: "Quản trị hệ thống".to_owned(),
            password: password.clone(),
            must_change_password: true,
        },
        &PasswordPolicy::default(),
    )
    .await;
    match created {
        Ok(_) => {}
        // Another process starting at the same moment created it first.
        Err(AccountError::UsernameTaken(_)) => return Ok(()),
        Err(e) => return Err(e).context("creating the first administrator"),
    }
    accounts::grant(
        db,
        "system",
        FIRST_ADMIN,
        &Grant::new(Role::Admin, ROOT_AGENCY),
    )
    .await
    .context("granting the first administrator its role")?;
    tracing::info!(user.name = FIRST_ADMIN, "first run: administrator created");
    eprintln!(
        "dongbo: first run: created user «{FIRST_ADMIN}» (Admin on {ROOT_AGENCY}, the whole \
         government tree). Its password, shown only this once, must be changed at first login:"
    );
    eprintln!("{password}");
    Ok(())
}
