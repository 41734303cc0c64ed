//! Backups (`dongbo backup`, `dongbo restore`): one consistent copy of the database and the
//! files it names, taken while a server keeps writing, and brought back only when every byte
//! is as it was written.
//!
//! A backup is a folder:
//!
//! ```text
//! manifest.json        format, dongbo version, backend, schema version, when, and the size
//!                      and SHA-256 of every other file below
//! dongbo.db            SQLite: `VACUUM INTO`, one snapshot of the database
//! dongbo.pgdump        PostgreSQL: `pg_dump --format=custom`, one snapshot of the database
//! files/ab/abcdef…     the evidence and generated files, by content as in the data folder
//! ```
//!
//! **Order.** The database is copied first, the files after. A file is written (and synced)
//! before the row that names it is committed (see [`crate::evidence`]), and files are never
//! changed or removed, so every file the snapshot names is on disk when the files are copied;
//! files stored after the snapshot come along too and name nothing, which is harmless. The
//! manifest is written last: a folder without one is not a backup.
//!
//! **Restore** reads every file listed and compares its size and SHA-256 with the manifest
//! before it touches anything, refuses a backup of the other backend or of a newer schema, and
//! refuses a target that already holds data unless forced. It copies the files first and then
//! replaces the database (SQLite: a synced copy renamed over the database file; PostgreSQL:
//! `pg_restore --clean --single-transaction`), so that here too every row names a file that is
//! there. The server must be stopped while a restore runs.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use dongbo_domain::clock;
use serde::{Deserialize, Serialize};

use crate::codec::col;
use crate::{Backend, Context, Db, Result, StoreError};

/// The version of the backup layout this code writes and reads.
pub const FORMAT: u32 = 1;
/// The manifest's name in a backup folder.
pub const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "dongbo.db";
const POSTGRES_FILE: &str = "dongbo.pgdump";
const FILES: &str = "files";

/// What a backup holds, written last into its folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// The version of `dongbo` that made it.
    pub dongbo_version: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The last migration applied to the database when it was copied.
    pub schema_version: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The database file, a path relative to the backup folder (also in `files`).
    pub database: String,
    /// Every file of the backup but the manifest.
    pub files: Vec<ManifestFile>,
}

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Relative to the backup folder, with `/` between parts.
    pub path: String,
    pub size: u64,
    /// 64 lower-case hex digits.
    pub sha256: String,
}

impl Manifest {
    /// How many evidence and generated files the backup holds (the database aside).
    pub fn evidence_files(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.path != self.database)
            .count()
    }

    /// The bytes of every file of the backup.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// The database's serde-style name in a manifest.
fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// The backend a database URL names, as [`Db::connect`] reads it.
pub fn backend_of_url(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}

/// The file of a `sqlite://PATH` URL.
fn sqlite_path(url: &str) -> Result<PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    }
    std::path::absolute(path).map_err(io(format!("resolving the database path {path}")))
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { context, source }
}

/// The last migration this build knows for `backend`.
pub fn latest_schema(backend: Backend) -> i64 {
    let migrator = match backend {
        Backend::Sqlite => &crate::SQLITE_MIGRATOR,
        Backend::Postgres => &crate::POSTGRES_MIGRATOR,
    };
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The last migration applied to `db` (0 on a database never migrated).
pub async fn schema_version(db: &Db) -> Result<i64> {
    let doing = "reading the database's schema version";
    let row = sqlx::query("SELECT MAX(version) AS version FROM _sqlx_migrations")
        .fetch_one(db.pool())
        .await
        .context(|| doing.to_owned())?;
    Ok(col::<Option<i64>>(&row, "version", doing)?.unwrap_or(0))
}

/// Backs up the database `db` (reached at `url`, which `pg_dump` needs on PostgreSQL) and the
/// files under `files_dir` into the folder `dest`, which must not exist or be empty.
/// `dongbo_version` is written into the manifest. On failure nothing is left in `dest`.
pub async fn create(
    db: &Db,
    url: &str,
    files_dir: &Path,
    dest: &Path,
    dongbo_version: &str,
) -> Result<Manifest> {
    prepare_destination(dest)?;
    let made = create_in(db, url, files_dir, dest, dongbo_version).await;
    if made.is_err() {
        // A half-made backup has no manifest and could not be restored; leave no litter.
        let _ = std::fs::remove_dir_all(dest);
    }
    made
}

fn prepare_destination(dest: &Path) -> Result<()> {
    let non_empty = std::fs::read_dir(dest).is_ok_and(|mut entries| entries.next().is_some());
    if non_empty {
        return Err(StoreError::Invalid(format!(
            "the backup folder {} is not empty: give a new or empty folder",
            dest.display()
        )));
    }
    std::fs::create_dir_all(dest)
        .map_err(io(format!("creating the backup folder {}", dest.display())))
}

async fn create_in(
    db: &Db,
    url: &str,
    files_dir: &Path,
    dest: &Path,
    dongbo_version: &str,
) -> Result<Manifest> {
    let schema_version = schema_version(db).await?;
    let database = match db.backend() {
        Backend::Sqlite => {
            let path = dest.join(SQLITE_FILE);
            // One read transaction: the copy is the database as of one commit.
            sqlx::query("VACUUM INTO $1")
                .bind(path.to_string_lossy().into_owned())
                .execute(db.pool())
                .await
                .context(|| format!("copying the SQLite database into {}", path.display()))?;
            SQLITE_FILE
        }
        Backend::Postgres => {
            let path = dest.join(POSTGRES_FILE);
            pg_tool(
                "pg_dump",
                &[
                    "--format=custom".as_ref(),
                    "--no-owner".as_ref(),
                    "--no-privileges".as_ref(),
                    "--file".as_ref(),
                    path.as_os_str(),
                    "--dbname".as_ref(),
                    url.as_ref(),
                ],
            )
            .await?;
            POSTGRES_FILE
        }
    };
    let files_dir = files_dir.to_owned();
    let dest_owned = dest.to_owned();
    let files = blocking("copying the evidence files", move || {
        let database = describe(&dest_owned, database)?;
        let mut files = vec![database];
        files.extend(copy_files(&files_dir, &dest_owned.join(FILES))?);
        Ok(files)
    })
    .await?;
    let manifest = Manifest {
        format: FORMAT,
        dongbo_version: dongbo_version.to_owned(),
        backend: backend_name(db.backend()).to_owned(),
        schema_version,
        created_at: crate::audit::timestamp(clock::now()),
        database: database.to_owned(),
        files,
    };
    write_manifest(dest, &manifest)?;
    tracing::info!(
        backup.path = %dest.display(),
        backup.files = manifest.files.len(),
        backup.bytes = manifest.total_bytes(),
        "backup made"
    );
    Ok(manifest)
}

/// Runs blocking file work off the async runtime.
async fn blocking<T: Send + 'static>(
    doing: &str,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Io {
            context: doing.to_owned(),
            source: std::io::Error::other(e),
        })?
}

/// Runs a PostgreSQL client tool; a missing tool is named, with what to install.
async fn pg_tool(tool: &'static str, args: &[&std::ffi::OsStr]) -> Result<()> {
    let args: Vec<std::ffi::OsString> = args.iter().map(|a| a.to_os_string()).collect();
    let output = blocking(&format!("running {tool}"), move || {
        Command::new(tool).args(&args).output().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                StoreError::Invalid(format!(
                    "{tool} was not found on PATH: backups of PostgreSQL need PostgreSQL's client \
                     tools (pg_dump, pg_restore) of the server's version or newer (Debian: \
                     postgresql-client)"
                ))
            } else {
                StoreError::Io {
                    context: format!("running {tool}"),
                    source: e,
                }
            }
        })
    })
    .await?;
    if !output.status.success() {
        return Err(StoreError::Invalid(format!(
            "{tool} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

/// The manifest entry of a file of the backup (synced to disk first).
fn describe(root: &Path, relative: &str) -> Result<ManifestFile> {
    let path = root.join(relative);
    std::fs::File::open(&path)
        .and_then(|f| f.sync_all())
        .map_err(io(format!("syncing {}", path.display())))?;
    let (size, sha256) =
        crate::check::file_digest(&path).map_err(io(format!("reading {}", path.display())))?;
    Ok(ManifestFile {
        path: relative.to_owned(),
        size,
        sha256,
    })
}

/// Copies every stored file of `from` (`ab/abcdef…`) into `to`, checking that each one's
/// content still has its name's SHA-256; returns their manifest entries.
fn copy_files(from: &Path, to: &Path) -> Result<Vec<ManifestFile>> {
    let mut files = Vec::new();
    for (prefix, name) in stored_files(from)? {
        let source = from.join(&prefix).join(&name);
        let folder = to.join(&prefix);
        std::fs::create_dir_all(&folder)
            .map_err(io(format!("creating the folder {}", folder.display())))?;
        let target = folder.join(&name);
        std::fs::copy(&source, &target).map_err(io(format!(
            "copying {} to {}",
            source.display(),
            target.display()
        )))?;
        let entry = describe(
            to.parent().unwrap_or(to),
            &format!("{FILES}/{prefix}/{name}"),
        )?;
        if entry.sha256 != name {
            return Err(StoreError::Corrupt {
                context: format!("backing up {}", source.display()),
                message: format!(
                    "the file's content has SHA-256 {}, not its name: it was changed after it \
                     was stored (`dongbo check` lists such files)",
                    entry.sha256
                ),
            });
        }
        files.push(entry);
    }
    Ok(files)
}

/// The stored files under a files folder, as (two-digit folder, SHA-256 name), sorted; the
/// store's temporary files are left out. A missing folder holds none.
fn stored_files(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(io(format!("reading the folder {}", dir.display()))(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io(format!("reading the folder {}", dir.display())))?;
        let prefix = entry.file_name().to_string_lossy().into_owned();
        if prefix.len() != 2 || !entry.path().is_dir() {
            continue;
        }
        let folder = entry.path();
        for file in std::fs::read_dir(&folder)
            .map_err(io(format!("reading the folder {}", folder.display())))?
        {
            let file = file.map_err(io(format!("reading the folder {}", folder.display())))?;
            let name = file.file_name().to_string_lossy().into_owned();
            if crate::evidence::is_sha256(&name) && name.starts_with(&prefix) {
                found.push((prefix.clone(), name));
            }
        }
    }
    found.sort();
    Ok(found)
}

fn write_manifest(dest: &Path, manifest: &Manifest) -> Result<()> {
    let text = serde_json::to_vec_pretty(manifest).map_err(|e| StoreError::Io {
        context: "writing the backup manifest".to_owned(),
        source: std::io::Error::other(e),
    })?;
    let mut temp = tempfile::Builder::new()
        .prefix(".manifest-")
        .tempfile_in(dest)
        .map_err(io(format!("writing the manifest in {}", dest.display())))?;
    temp.write_all(&text)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(io(format!("writing the manifest in {}", dest.display())))?;
    temp.persist(dest.join(MANIFEST))
        .map_err(|e| e.error)
        .map_err(io(format!("writing the manifest in {}", dest.display())))?;
    sync_folder(dest)
}

fn sync_folder(folder: &Path) -> Result<()> {
    #[cfg(unix)]
    std::fs::File::open(folder)
        .and_then(|f| f.sync_all())
        .map_err(io(format!("syncing the folder {}", folder.display())))?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

/// Reads the manifest of the backup in `src` and checks every file it lists (present, of its
/// size, with its SHA-256); names the first that is not. Reads everything, changes nothing.
pub async fn verify(src: &Path) -> Result<Manifest> {
    let src = src.to_owned();
    blocking("checking the backup", move || verify_blocking(&src)).await
}

fn verify_blocking(src: &Path) -> Result<Manifest> {
    let path = src.join(MANIFEST);
    let text = std::fs::read(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            StoreError::Invalid(format!(
                "{} is not a backup: it has no {MANIFEST} (a backup that did not finish has none)",
                src.display()
            ))
        } else {
            io(format!("reading {}", path.display()))(e)
        }
    })?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| StoreError::Invalid(format!("the backup's {MANIFEST} cannot be read: {e}")))?;
    if manifest.format != FORMAT {
        return Err(StoreError::Invalid(format!(
            "the backup is in format {}; this dongbo reads format {FORMAT}",
            manifest.format
        )));
    }
    if !manifest.files.iter().any(|f| f.path == manifest.database) {
        return Err(StoreError::Invalid(format!(
            "the backup's manifest does not list its database file {}",
            manifest.database
        )));
    }
    for file in &manifest.files {
        let relative = safe_relative(&file.path)?;
        let stored_as = format!(
            "{FILES}/{}/{}",
            file.sha256.get(..2).unwrap_or_default(),
            file.sha256
        );
        if file.path != manifest.database
            && (!crate::evidence::is_sha256(&file.sha256) || file.path != stored_as)
        {
            return Err(StoreError::Invalid(format!(
                "the backup's manifest lists {} with SHA-256 «{}»: a stored file is                  files/<first two digits>/<its SHA-256>",
                file.path, file.sha256
            )));
        }
        let path = src.join(relative);
        let (size, sha256) = crate::check::file_digest(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                StoreError::Invalid(format!("the backup is damaged: {} is missing", file.path))
            } else {
                io(format!("reading {}", path.display()))(e)
            }
        })?;
        if size != file.size || sha256 != file.sha256 {
            return Err(StoreError::Invalid(format!(
                "the backup is damaged: {} has {size} bytes with SHA-256 {sha256}, the manifest \
                 says {} bytes with SHA-256 {}",
                file.path, file.size, file.sha256
            )));
        }
    }
    Ok(manifest)
}

/// A manifest's path, refused unless it stays inside the backup folder.
fn safe_relative(path: &str) -> Result<PathBuf> {
    let relative = PathBuf::from(path);
    let plain = !path.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if plain {
        Ok(relative)
    } else {
        Err(StoreError::Invalid(format!(
            "the backup's manifest names a file outside the backup: «{path}»"
        )))
    }
}

/// What [`restore`] brought back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restored {
    pub manifest: Manifest,
    /// Whether the target held data that was replaced (`force`).
    pub replaced: bool,
}

/// Restores the backup in `src` into the database at `url` and the files folder `files_dir`.
/// Checks the whole backup first; refuses another backend's backup, a newer schema, and
/// (unless `force`) a target that holds data. The server must not be running.
pub async fn restore(src: &Path, url: &str, files_dir: &Path, force: bool) -> Result<Restored> {
    let manifest = verify(src).await?;
    let backend = backend_of_url(url)?;
    if manifest.backend != backend_name(backend) {
        let made = if manifest.backend == "sqlite" {
            "SQLite"
        } else {
            "PostgreSQL"
        };
        return Err(StoreError::Invalid(format!(
            "this backup is of a {made} database and the target is {backend}: restore it into \
             a {made} database (backups do not move data between backends)"
        )));
    }
    if manifest.schema_version > latest_schema(backend) {
        return Err(StoreError::Invalid(format!(
            "this backup has schema version {} and this dongbo knows up to {}: restore it with \
             dongbo {} or newer",
            manifest.schema_version,
            latest_schema(backend),
            manifest.dongbo_version
        )));
    }
    let held = holds_data(url, backend, files_dir).await?;
    if let Some(what) = &held
        && !force
    {
        return Err(StoreError::WrongState(format!(
            "the target already holds data ({what}); restoring would replace it. Restore into \
             an empty database and data folder, or give --force to replace it"
        )));
    }
    let from = src.join(FILES);
    let to = files_dir.to_owned();
    let listed: Vec<ManifestFile> = manifest
        .files
        .iter()
        .filter(|f| f.path != manifest.database)
        .cloned()
        .collect();
    blocking("restoring the evidence files", move || {
        restore_files(&from, &to, &listed)
    })
    .await?;
    let database = src.join(&manifest.database);
    match backend {
        Backend::Sqlite => {
            let target = sqlite_path(url)?;
            blocking("restoring the SQLite database", move || {
                replace_sqlite(&database, &target)
            })
            .await?;
        }
        Backend::Postgres => {
            pg_tool(
                "pg_restore",
                &[
                    "--clean".as_ref(),
                    "--if-exists".as_ref(),
                    "--no-owner".as_ref(),
                    "--no-privileges".as_ref(),
                    "--single-transaction".as_ref(),
                    "--exit-on-error".as_ref(),
                    "--dbname".as_ref(),
                    url.as_ref(),
                    database.as_os_str(),
                ],
            )
            .await?;
        }
    }
    tracing::info!(
        backup.path = %src.display(),
        backup.files = manifest.files.len(),
        replaced = held.is_some(),
        "backup restored"
    );
    Ok(Restored {
        manifest,
        replaced: held.is_some(),
    })
}

/// What the target holds, said shortly ("3 programs, 2 users"), or `None` when it is empty:
/// no database yet, or one with no program, user, audit entry or file, and no stored file.
async fn holds_data(url: &str, backend: Backend, files_dir: &Path) -> Result<Option<String>> {
    let mut held = Vec::new();
    let files = stored_files(files_dir)?.len();
    if files > 0 {
        held.push(format!("{files} stored files in {}", files_dir.display()));
    }
    let exists = match backend {
        Backend::Sqlite => sqlite_path(url)?.exists(),
        Backend::Postgres => true,
    };
    if exists {
        let db = Db::connect(url).await?;
        for (table, what) in [
            ("programs", "programs"),
            ("users", "users"),
            ("audit_log", "audit entries"),
            ("evidence_files", "evidence files"),
            ("library_items", "library items"),
        ] {
            // A table that is not there (a database never migrated) holds nothing.
            let sql = format!("SELECT COUNT(*) AS n FROM {table}");
            if let Ok(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_one(db.pool())
                .await
            {
                let n: i64 = col(&row, "n", "counting what the target holds")?;
                if n > 0 {
                    held.push(format!("{n} {what}"));
                }
            }
        }
        db.close().await;
    }
    Ok((!held.is_empty()).then(|| held.join(", ")))
}

/// Copies the backup's files into the files folder, each through a synced temporary file
/// renamed into place (a file already there with the right content is kept).
fn restore_files(from: &Path, to: &Path, listed: &[ManifestFile]) -> Result<()> {
    for file in listed {
        let source = from
            .parent()
            .unwrap_or(from)
            .join(safe_relative(&file.path)?);
        // Stored by content: the name is the SHA-256 the bytes were just checked to have.
        let folder = to.join(&file.sha256[..2]);
        let target = folder.join(&file.sha256);
        if crate::check::file_digest(&target).is_ok_and(|(_, sha)| sha == file.sha256) {
            continue;
        }
        std::fs::create_dir_all(&folder)
            .map_err(io(format!("creating the folder {}", folder.display())))?;
        copy_synced(&source, &folder, &target)?;
        sync_folder(&folder)?;
    }
    sync_folder(to)
}

/// Copies `source` to `target` in `folder` through a synced temporary file.
fn copy_synced(source: &Path, folder: &Path, target: &Path) -> Result<()> {
    let doing = || format!("copying {} to {}", source.display(), target.display());
    let mut temp = tempfile::Builder::new()
        .prefix(".incoming-")
        .tempfile_in(folder)
        .map_err(io(doing()))?;
    let mut input = std::fs::File::open(source).map_err(io(doing()))?;
    std::io::copy(&mut input, temp.as_file_mut()).map_err(io(doing()))?;
    temp.as_file().sync_all().map_err(io(doing()))?;
    temp.persist(target)
        .map_err(|e| e.error)
        .map_err(io(doing()))?;
    Ok(())
}

/// Puts the backed-up SQLite file in place of the database: copied beside it and synced,
/// the old write-ahead log removed (it belongs to the old database and would be replayed
/// into the new one), then renamed over it.
fn replace_sqlite(backup: &Path, target: &Path) -> Result<()> {
    let folder = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)
        .map_err(io(format!("creating the folder {}", folder.display())))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".restore-")
        .tempfile_in(folder)
        .map_err(io(format!("restoring into {}", folder.display())))?;
    let mut input =
        std::fs::File::open(backup).map_err(io(format!("reading {}", backup.display())))?;
    std::io::copy(&mut input, temp.as_file_mut())
        .and_then(|_| temp.as_file().sync_all())
        .map_err(io(format!("restoring into {}", folder.display())))?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(format!("removing {}", Path::new(&side).display()))(e)),
        }
    }
    temp.persist(target)
        .map_err(|e| e.error)
        .map_err(io(format!("replacing {}", target.display())))?;
    sync_folder(folder)
}
