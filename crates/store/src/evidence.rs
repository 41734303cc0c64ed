//! Evidence files (tệp minh chứng), stored by content: a file's name on disk is the SHA-256 of
//! its bytes (`<dir>/ab/abcdef…`), so the same content given twice is stored once and a
//! stored file cannot be changed in place. The `evidence_files` table says what each one is.
//!
//! [`EvidenceStore::put`] refuses what it should not keep — files over the size limit, and
//! files whose bytes are not one of the allowed kinds (the magic numbers decide; the declared
//! type only has to agree) — and writes a temporary file, syncs it, renames it into place and
//! syncs the folder, so a file acknowledged survives a crash. The database row is written
//! after the file: a row always names a file that is there.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::codec::{col, now};
use crate::{Context, Db, Result, StoreError};

/// One mebibyte.
const MIB: u64 = 1024 * 1024;

/// The kinds of evidence file Đồng Bộ keeps: the modern office formats, PDF, images and text.
/// The old binary Word and Excel formats (`.doc`, `.xls`) are not among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Pdf,
    Docx,
    Xlsx,
    Png,
    Jpeg,
    /// UTF-8 text.
    Text,
}

impl MediaType {
    pub const ALL: [MediaType; 6] = [
        MediaType::Pdf,
        MediaType::Docx,
        MediaType::Xlsx,
        MediaType::Png,
        MediaType::Jpeg,
        MediaType::Text,
    ];

    /// The IANA media type, as stored and sent back in `Content-Type`.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            MediaType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            MediaType::Png => "image/png",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Text => "text/plain",
        }
    }

    /// What a user calls it: "PDF", "DOCX", …
    pub fn label(self) -> &'static str {
        match self {
            MediaType::Pdf => "PDF",
            MediaType::Docx => "DOCX",
            MediaType::Xlsx => "XLSX",
            MediaType::Png => "PNG",
            MediaType::Jpeg => "JPEG",
            MediaType::Text => "TXT",
        }
    }

    /// Reads a media type as browsers send it (parameters and case ignored); `None` for any
    /// other type.
    pub fn from_mime(mime: &str) -> Option<MediaType> {
        let essence = mime
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "image/jpg" | "image/pjpeg" => Some(MediaType::Jpeg),
            other => MediaType::ALL.into_iter().find(|t| t.mime() == other),
        }
    }

    /// The kind the bytes are, by their magic numbers (and, for the zip-based office formats,
    /// by the parts the archive holds); `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
        if bytes.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(MediaType::Png)
        } else if bytes.starts_with(b"\xFF\xD8\xFF") {
            Some(MediaType::Jpeg)
        } else if bytes.starts_with(b"PK\x03\x04") {
            office_kind(bytes)
        } else if is_text(bytes) {
            Some(MediaType::Text)
        } else {
            None
        }
    }
}

/// What [`EvidenceStore::put`] accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceLimits {
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
    /// The kinds accepted.
    pub allowed: Vec<MediaType>,
}

impl Default for EvidenceLimits {
    /// 20 MiB; PDF, DOCX, XLSX, PNG, JPEG and text.
    fn default() -> Self {
        EvidenceLimits {
            max_bytes: 20 * MIB,
            allowed: MediaType::ALL.to_vec(),
        }
    }
}

/// A file kept by the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFile {
    /// 64 lower-case hex digits: the file's name in the store and in reports.
    pub sha256: String,
    pub size: u64,
    pub media_type: MediaType,
    /// `true` when the same content was already stored: nothing was written.
    pub already_stored: bool,
}

/// What the store knows of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceFile {
    pub sha256: String,
    pub size: u64,
    /// The IANA media type.
    pub media_type: String,
    /// The name it had when it was first given.
    pub original_name: String,
    /// RFC 3339, UTC.
    pub stored_at: String,
}

/// Evidence files under a folder (`<data-dir>/files` by default), described in the database.
#[derive(Debug, Clone)]
pub struct EvidenceStore {
    dir: PathBuf,
    limits: EvidenceLimits,
}

impl EvidenceStore {
    /// The store in `dir` (created at the first write).
    pub fn new(dir: impl Into<PathBuf>, limits: EvidenceLimits) -> EvidenceStore {
        EvidenceStore {
            dir: dir.into(),
            limits,
        }
    }

    /// `<data_dir>/files`, the default folder.
    pub fn default_dir(data_dir: &Path) -> PathBuf {
        data_dir.join("files")
    }

    pub fn limits(&self) -> &EvidenceLimits {
        &self.limits
    }

    /// Keeps `bytes` (once per content) and returns its SHA-256, or refuses it with an error a
    /// user can read: empty, over the size limit, not a kind allowed, or not the kind it was
    /// declared as (`declared_type` is the media type the client sent; `None` or
    /// `application/octet-stream` declare nothing).
    pub async fn put(
        &self,
        db: &Db,
        bytes: &[u8],
        original_name: &str,
        declared_type: Option<&str>,
    ) -> Result<StoredFile> {
        self.put_as(db, bytes, original_name, declared_type, None)
            .await
    }

    /// [`put`](Self::put), recording in the same transaction that `uploader` uploaded it: an
    /// uploader may cite the file (see [`uploaded_by`](Self::uploaded_by)). `None` is the
    /// system (a generated document).
    pub async fn put_as(
        &self,
        db: &Db,
        bytes: &[u8],
        original_name: &str,
        declared_type: Option<&str>,
        uploader: Option<&str>,
    ) -> Result<StoredFile> {
        let original_name = dongbo_domain::text::nfc(original_name.trim());
        let media_type = self.check(bytes, &original_name, declared_type)?;
        let size = bytes.len() as u64;
        let owned = bytes.to_vec();
        let dir = self.dir.clone();
        // Hashing 20 MiB and syncing a file are blocking work: off the async runtime.
        let (sha256, already_stored) =
            tokio::task::spawn_blocking(move || write_file(&dir, &owned))
                .await
                .map_err(|e| StoreError::Io {
                    context: "storing an evidence file".to_owned(),
                    source: std::io::Error::other(e),
                })??;

        let doing = format!("recording evidence file {sha256}");
        let mut tx = db.begin_write(&doing).await?;
        let inserted = sqlx::query(
            "INSERT INTO evidence_files (sha256, size, media_type, original_name, stored_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(sha256.clone())
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .bind(media_type.mime())
        .bind(original_name)
        .bind(now())
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
        if let Some(uploader) = uploader {
            sqlx::query(
                "INSERT INTO evidence_uploads (sha256, username, uploaded_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (sha256, username) DO NOTHING",
            )
            .bind(sha256.clone())
            .bind(uploader)
            .bind(now())
            .execute(&mut *tx)
            .await
            .context(|| doing.clone())?;
        }
        tx.commit().await.context(|| doing.clone())?;
        let already_stored = already_stored && inserted.rows_affected() == 0;
        tracing::info!(
            file.sha256 = %sha256,
            file.size = size,
            file.media_type = media_type.mime(),
            already_stored,
            "evidence file stored"
        );
        Ok(StoredFile {
            sha256,
            size,
            media_type,
            already_stored,
        })
    }

    /// The bytes of a stored file, checked against their SHA-256.
    pub async fn open(&self, sha256: &str) -> Result<Vec<u8>> {
        let sha256 = sha256.trim().to_ascii_lowercase();
        if !is_sha256(&sha256) {
            // Also what keeps a request from naming a path outside the store.
            return Err(StoreError::Invalid(format!(
                "«{sha256}» không phải mã SHA-256 của một tệp (not a file's SHA-256)"
            )));
        }
        let path = self.path(&sha256);
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotFound(format!("evidence file {sha256}")));
            }
            Err(source) => {
                return Err(StoreError::Io {
                    context: format!("reading evidence file {}", path.display()),
                    source,
                });
            }
        };
        let (bytes, actual) = tokio::task::spawn_blocking(move || {
            let actual = hex::encode(Sha256::digest(&bytes));
            (bytes, actual)
        })
        .await
        .map_err(|e| StoreError::Io {
            context: format!("checking evidence file {sha256}"),
            source: std::io::Error::other(e),
        })?;
        if actual != sha256 {
            return Err(StoreError::Corrupt {
                context: format!("reading evidence file {}", path.display()),
                message: format!("its content has SHA-256 {actual}"),
            });
        }
        Ok(bytes)
    }

    /// What the database knows of a stored file; `None` when it was never stored.
    pub async fn info(&self, db: &Db, sha256: &str) -> Result<Option<EvidenceFile>> {
        let doing = format!("reading evidence file {sha256}");
        let mut tx = db.read(&doing).await?;
        let row = sqlx::query(
            "SELECT sha256, size, media_type, original_name, stored_at FROM evidence_files \
             WHERE sha256 = $1",
        )
        .bind(sha256.trim().to_ascii_lowercase())
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.clone())?;
        row.map(|row| {
            let size: i64 = col(&row, "size", &doing)?;
            Ok(EvidenceFile {
                sha256: col(&row, "sha256", &doing)?,
                size: u64::try_from(size).map_err(|_| StoreError::Corrupt {
                    context: doing.clone(),
                    message: format!("size {size}"),
                })?,
                media_type: col(&row, "media_type", &doing)?,
                original_name: col(&row, "original_name", &doing)?,
                stored_at: col(&row, "stored_at", &doing)?,
            })
        })
        .transpose()
    }

    /// The agencies whose reports cite the file of `sha256` in any version: whoever may read
    /// one of them may read the file.
    pub async fn citing_agencies(&self, db: &Db, sha256: &str) -> Result<Vec<String>> {
        let doing = format!("finding the reports that cite evidence file {sha256}");
        let mut tx = db.read(&doing).await?;
        let rows = sqlx::query(
            "SELECT DISTINCT a.agency_code FROM report_files f \
             JOIN progress_reports r ON r.id = f.report_id \
             JOIN assignments a ON a.id = r.assignment_id \
             WHERE f.sha256 = $1",
        )
        .bind(sha256.trim().to_ascii_lowercase())
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.clone())?;
        rows.iter()
            .map(|row| col(row, "agency_code", &doing))
            .collect()
    }

    /// Whether `username` uploaded the file of `sha256` (through [`put_as`](Self::put_as)).
    pub async fn uploaded_by(&self, db: &Db, sha256: &str, username: &str) -> Result<bool> {
        let doing = format!("finding who uploaded evidence file {sha256}");
        let mut tx = db.read(&doing).await?;
        let row =
            sqlx::query("SELECT sha256 FROM evidence_uploads WHERE sha256 = $1 AND username = $2")
                .bind(sha256.trim().to_ascii_lowercase())
                .bind(username)
                .fetch_optional(&mut *tx)
                .await
                .context(|| doing.clone())?;
        Ok(row.is_some())
    }

    /// Where the file of `sha256` lives: `<dir>/ab/abcdef…`.
    fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(&sha256[..2]).join(sha256)
    }

    /// The kind of `bytes`, or why they are refused.
    /// Whether [`put`](Self::put) would keep `bytes` under `name`, without keeping anything:
    /// a form with several files checks them all before storing any (all or nothing).
    pub fn accepts(&self, bytes: &[u8], name: &str, declared: Option<&str>) -> Result<MediaType> {
        self.check(bytes, &dongbo_domain::text::nfc(name.trim()), declared)
    }

    fn check(&self, bytes: &[u8], name: &str, declared: Option<&str>) -> Result<MediaType> {
        let allowed: Vec<&str> = self.limits.allowed.iter().map(|t| t.label()).collect();
        let allowed = allowed.join(", ");
        if bytes.is_empty() {
            return Err(StoreError::Invalid(format!(
                "Tệp «{name}» rỗng (the file is empty)"
            )));
        }
        if bytes.len() as u64 > self.limits.max_bytes {
            return Err(StoreError::Invalid(format!(
                "Tệp «{name}» có dung lượng {}, vượt giới hạn {} (the file is larger than the \
                 limit)",
                size_text(bytes.len() as u64),
                size_text(self.limits.max_bytes)
            )));
        }
        let Some(kind) = MediaType::sniff(bytes) else {
            return Err(StoreError::Invalid(format!(
                "Nội dung tệp «{name}» không thuộc loại được chấp nhận ({allowed}) (the file's \
                 content is not of an accepted kind)"
            )));
        };
        if !self.limits.allowed.contains(&kind) {
            return Err(StoreError::Invalid(format!(
                "Tệp «{name}» là tệp {}, không thuộc loại được chấp nhận ({allowed}) (this kind \
                 of file is not accepted)",
                kind.label()
            )));
        }
        let declared = declared
            .map(str::trim)
            .filter(|d| !d.is_empty() && !d.eq_ignore_ascii_case("application/octet-stream"));
        if let Some(declared) = declared
            && MediaType::from_mime(declared) != Some(kind)
        {
            return Err(StoreError::Invalid(format!(
                "Tệp «{name}» được khai báo là «{declared}» nhưng nội dung là tệp {} (the file \
                 was declared as another kind than its content)",
                kind.label()
            )));
        }
        Ok(kind)
    }
}

/// Writes `bytes` under `dir` by their SHA-256 unless a complete copy is there; returns the
/// SHA-256 and whether it was there already.
fn write_file(dir: &Path, bytes: &[u8]) -> Result<(String, bool)> {
    let sha256 = sha256_hex(bytes);
    let folder = dir.join(&sha256[..2]);
    let path = folder.join(&sha256);
    // A full disk or a read-only folder is told as such (`StoreError::Full`, `ReadOnly`); the
    // temporary file is removed when dropped, so nothing half-written is left in place.
    let io = |context: String| move |source| StoreError::io(context, source);
    // Files are only ever renamed into place whole, so one of the right size is the file.
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64) {
        return Ok((sha256, true));
    }
    std::fs::create_dir_all(&folder)
        .map_err(io(format!("creating the folder {}", folder.display())))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".incoming-")
        .tempfile_in(&folder)
        .map_err(io(format!("creating a file in {}", folder.display())))?;
    temp.write_all(bytes)
        .map_err(io(format!("writing a file in {}", folder.display())))?;
    temp.as_file()
        .sync_all()
        .map_err(io(format!("syncing a file in {}", folder.display())))?;
    temp.persist(&path)
        .map_err(|e| e.error)
        .map_err(io(format!("moving a file to {}", path.display())))?;
    sync_folder(&folder)?;
    sync_folder(dir)?;
    Ok((sha256, false))
}

/// Makes a rename (or a new entry) in `folder` durable.
#[cfg(unix)]
fn sync_folder(folder: &Path) -> Result<()> {
    std::fs::File::open(folder)
        .and_then(|f| f.sync_all())
        .map_err(|source| {
            StoreError::io(format!("syncing the folder {}", folder.display()), source)
        })
}

/// Other systems cannot open a folder to sync it; their renames are as durable as they get.
#[cfg(not(unix))]
fn sync_folder(_folder: &Path) -> Result<()> {
    Ok(())
}

/// Whether `text` is a SHA-256 as the store writes it: 64 lower-case hex digits.
pub(crate) use dongbo_domain::report::is_sha256;

/// The SHA-256 of `bytes` as the store writes it (the name a file is kept under).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// "20 MiB", "1.5 MiB", "300 KiB", "12 B".
fn size_text(bytes: u64) -> String {
    if bytes >= MIB {
        let tenths = bytes * 10 / MIB;
        if tenths.is_multiple_of(10) {
            format!("{} MiB", tenths / 10)
        } else {
            format!("{}.{} MiB", tenths / 10, tenths % 10)
        }
    } else if bytes >= 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} B")
    }
}

/// DOCX or XLSX, from the part names in the zip archive's central directory; `None` for any
/// other archive (or a broken one).
fn office_kind(bytes: &[u8]) -> Option<MediaType> {
    let names = zip_names(bytes)?;
    let has = |name: &str| names.iter().any(|n| n == name);
    if !has("[Content_Types].xml") {
        return None;
    }
    if has("word/document.xml") {
        Some(MediaType::Docx)
    } else if has("xl/workbook.xml") {
        Some(MediaType::Xlsx)
    } else {
        None
    }
}

/// The names of a zip archive's entries, read from its central directory.
fn zip_names(bytes: &[u8]) -> Option<Vec<String>> {
    let u16_at = |at: usize| -> Option<usize> {
        bytes
            .get(at..at + 2)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u32_at = |at: usize| -> Option<usize> {
        bytes
            .get(at..at + 4)
            .and_then(|b| usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok())
    };
    // The end-of-central-directory record: 22 bytes and a comment of up to 65535.
    const EOCD: &[u8] = b"PK\x05\x06";
    let lowest = bytes.len().saturating_sub(22 + 65_535);
    let eocd = (lowest..=bytes.len().checked_sub(22)?)
        .rev()
        .find(|&at| bytes[at..].starts_with(EOCD))?;
    let count = u16_at(eocd + 10)?;
    let mut at = u32_at(eocd + 16)?;
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        if !bytes.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let name_len = u16_at(at + 28)?;
        let extra_len = u16_at(at + 30)?;
        let comment_len = u16_at(at + 32)?;
        let name = bytes.get(at + 46..at + 46 + name_len)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(names)
}

/// UTF-8 text (a byte-order mark allowed) without control characters other than white space.
fn is_text(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).is_ok_and(|text| {
        text.chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\x0C'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(20 * MIB), "20 MiB");
        assert_eq!(size_text(MIB + MIB / 2), "1.5 MiB");
        assert_eq!(size_text(2048), "2 KiB");
        assert_eq!(size_text(12), "12 B");
    }

    #[test]
    fn text_with_binary_control_characters_is_not_text() {
        assert_eq!(
            MediaType::sniff("Báo cáo\r\n".as_bytes()),
            Some(MediaType::Text)
        );
        assert_eq!(MediaType::sniff(b"abc\x00def"), None);
        assert_eq!(MediaType::sniff(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), None);
    }

    #[test]
    fn browser_media_types_are_read_without_parameters() {
        assert_eq!(
            MediaType::from_mime("text/plain; charset=utf-8"),
            Some(MediaType::Text)
        );
        assert_eq!(MediaType::from_mime("IMAGE/JPG"), Some(MediaType::Jpeg));
        assert_eq!(MediaType::from_mime("application/msword"), None);
    }
}
