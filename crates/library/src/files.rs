//! An item's files: attached from the item's page by those who may edit it, and read back by
//! those who may read it. Files are kept by content with the evidence files (one store for
//! the whole server); the item lists them in order.
//!
//! A document's text is what search finds, so the text of an attached PDF, DOCX, HTML, TXT or
//! Markdown file becomes the item's text when it has none, and is added after it otherwise
//! (under the file's name). Images and spreadsheets are kept with no text, as are image-only
//! PDFs; a file that cannot be read (encrypted, damaged, over the limits) is refused with the
//! reason and nothing changes.

use dongbo_store::accounts::Caller;
use dongbo_store::library::{Attachment, TextStatus, items as store};

use crate::extract::{self, ExtractError, ExtractLimits};
use crate::{Error, FieldError, Library, Result, Written};

/// The most files one item keeps.
pub const MAX_ATTACHMENTS: usize = 50;

/// A file of an item as a reader gets it.
#[derive(Debug, Clone)]
pub struct File {
    pub attachment: Attachment,
    pub bytes: Vec<u8>,
}

impl Library {
    /// Attaches the file `name` with content `bytes` to item `id`, after its other files.
    /// The same content attached twice is one file.
    pub async fn attach(
        &self,
        caller: &Caller,
        id: i64,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<Written> {
        let current = self.get(Some(caller), id).await?;
        self.require_edit(caller, current.data.owner.as_deref())?;
        let name = dongbo_domain::text::nfc(name.trim());
        if name.is_empty() || bytes.is_empty() {
            return Err(invalid("choose a non-empty file to attach"));
        }
        let media_type = self
            .files()
            .accepts(&bytes, &name, None)
            .map_err(|e| invalid(e.to_string()))?;
        let sha256 = dongbo_store::evidence::sha256_hex(&bytes);
        let mut data = current.data.clone();
        if data.attachments.iter().any(|a| a.sha256 == sha256) {
            return Ok(Written {
                id,
                outcome: dongbo_store::library::Outcome::Unchanged,
            });
        }
        if data.attachments.len() >= MAX_ATTACHMENTS {
            return Err(invalid(format!(
                "an item keeps at most {MAX_ATTACHMENTS} files"
            )));
        }
        let (text, status, media_type) = read_text(&bytes, &name, media_type.mime()).await?;
        if let Some(text) = text {
            data.body = with_text(&data.body, &name, &text);
        }
        data.attachments.push(Attachment {
            sha256: sha256.clone(),
            name: name.clone(),
            media_type,
            text_status: status,
        });
        // Kept by content: a file stored for a write that is then refused is only unused.
        self.files()
            .put_as(self.db(), &bytes, &name, None, Some(&caller.user.username))
            .await?;
        Ok(store::update(self.db(), id, &data, &caller.user.username, self.now()).await?)
    }

    /// Removes the file at `position` (from 0) from item `id`. Its text stays in the item's
    /// text, which the edit form changes.
    pub async fn detach(&self, caller: &Caller, id: i64, position: usize) -> Result<Written> {
        let current = self.get(Some(caller), id).await?;
        self.require_edit(caller, current.data.owner.as_deref())?;
        let mut data = current.data;
        if position >= data.attachments.len() {
            return Err(Error::NotFound);
        }
        data.attachments.remove(position);
        Ok(store::update(self.db(), id, &data, &caller.user.username, self.now()).await?)
    }

    /// The file at `position` of item `id`, for a caller who may read the item (any other
    /// caller: not found, as for the item itself).
    pub async fn file(&self, caller: Option<&Caller>, id: i64, position: usize) -> Result<File> {
        let item = self.get(caller, id).await?;
        let attachment = item
            .data
            .attachments
            .get(position)
            .cloned()
            .ok_or(Error::NotFound)?;
        let bytes = self.files().open(&attachment.sha256).await?;
        Ok(File { attachment, bytes })
    }
}

/// The text of a file (off the async threads: reading a PDF is blocking work with its own
/// time limit), its status, and the media type it is kept under.
async fn read_text(
    bytes: &[u8],
    name: &str,
    stored_type: &str,
) -> Result<(Option<String>, TextStatus, String)> {
    let owned = bytes.to_vec();
    let file = name.to_owned();
    let read = tokio::task::spawn_blocking(move || {
        extract::extract(&owned, &file, &ExtractLimits::default())
    })
    .await
    .map_err(|e| invalid(format!("the file could not be read: {e}")))?;
    match read {
        Ok(extracted) => {
            let text = (extracted.status == TextStatus::Text).then_some(extracted.text);
            Ok((
                text,
                extracted.status,
                extracted.kind.media_type().to_owned(),
            ))
        }
        // An image or a spreadsheet: kept, with no text.
        Err(ExtractError::Unsupported { .. }) => {
            Ok((None, TextStatus::NoText, stored_type.to_owned()))
        }
        Err(refused) => Err(invalid(refused.to_string())),
    }
}

/// The item's text with a file's text: the file's alone when the item has none, else after
/// it under the file's name (unless the item already holds it, as an import's item does).
fn with_text(body: &str, name: &str, text: &str) -> String {
    if body.trim().is_empty() {
        text.to_owned()
    } else if body.contains(text.trim()) {
        body.to_owned()
    } else {
        format!("{}\n\n— {name} —\n\n{}", body.trim_end(), text.trim())
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::Invalid(vec![FieldError::new("file", message)])
}

#[cfg(test)]
mod tests {
    use super::with_text;

    #[test]
    fn a_files_text_is_the_items_when_it_has_none_and_follows_it_otherwise() {
        assert_eq!(with_text("  ", "a.pdf", "Nội dung"), "Nội dung");
        assert_eq!(
            with_text("Tóm tắt", "a.pdf", "Nội dung"),
            "Tóm tắt\n\n— a.pdf —\n\nNội dung"
        );
        assert_eq!(
            with_text("Có Nội dung rồi", "a.pdf", "Nội dung"),
            "Có Nội dung rồi"
        );
    }
}
