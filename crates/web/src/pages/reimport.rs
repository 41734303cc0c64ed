//! Re-importing a program's document at `/programs/{id}/import` (the coordinator of the
//! program): choose the corrected file, see what it would change and every conflict with an
//! approved change request — both values, the decision and its date — each with a box to take
//! the file's value instead; then import it. An approved change stays unless its box is
//! ticked, and each override is audited (`dongbo_programs::reimport`).
//!
//! The preview form carries the file back (hex in a hidden field, within the upload limit) so
//! that the import is of the very file previewed; the server reads and checks it again.

use std::collections::BTreeSet;

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_programs::reimport::{self, Conflict, Preview, Settled};
use maud::{Markup, html};

use super::Page;
use crate::AppState;
use crate::error::{Error, Result};

/// `GET /programs/{id}/import`: the form to choose the file.
pub async fn form(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Markup> {
    let actor = page.actor(&state)?;
    if !reimport::may_reimport(&actor, id).await? {
        return Err(Error::Forbidden);
    }
    import_page(&page, &state, id, None, None).await
}

/// What the import form sent.
#[derive(Default)]
struct Sent {
    file_name: String,
    bytes: Vec<u8>,
    /// "preview" (the default) or "import".
    step: String,
    /// The conflicts whose box was ticked: the file's value wins.
    take_file: BTreeSet<String>,
}

/// `POST /programs/{id}/import?csrf=…` (multipart): with a chosen file, or `step=import`,
/// the file carried back, and the conflicts ticked, imports it.
pub async fn submit(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let mut sent = Sent::default();
    let mut carried = String::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                return Err(Error::BadRequest(format!(
                    "the form could not be read: {e}"
                )));
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|_| {
                Error::BadRequest("the file is too large or was cut off".to_owned())
            })?;
            if !bytes.is_empty() {
                sent.file_name = file_name;
                sent.bytes = bytes.to_vec();
            }
            continue;
        }
        let value = field
            .text()
            .await
            .map_err(|e| Error::BadRequest(format!("the form could not be read: {e}")))?;
        match name.as_str() {
            "step" => sent.step = value,
            "take_file" => {
                sent.take_file.insert(value);
            }
            "content" => carried = value,
            "file_name" if sent.file_name.is_empty() => sent.file_name = value,
            _ => {}
        }
    }
    if sent.bytes.is_empty() && !carried.is_empty() {
        sent.bytes =
            hex::decode(carried.trim()).map_err(|_| Error::BadRequest("content".to_owned()))?;
    }
    if sent.step == "import" {
        match reimport::reimport(&actor, id, sent.bytes, &sent.file_name, sent.take_file).await {
            Ok(_) => Ok(Redirect::to(&format!("/programs/{id}")).into_response()),
            Err(error) => refused(&page, &state, id, error).await,
        }
    } else {
        let bytes = sent.bytes.clone();
        match reimport::preview_reimport(&actor, id, sent.bytes, &sent.file_name).await {
            Ok(preview) => {
                let shown = Shown {
                    preview: &preview,
                    file_name: &sent.file_name,
                    bytes: &bytes,
                };
                Ok(import_page(&page, &state, id, Some(&shown), None)
                    .await?
                    .into_response())
            }
            Err(error) => refused(&page, &state, id, error).await,
        }
    }
}

/// A refused file: the form again with the reason (422); other errors as they are.
async fn refused(
    page: &Page,
    state: &AppState,
    id: i64,
    error: dongbo_programs::Error,
) -> Result<Response> {
    match Error::from(error) {
        Error::Invalid(errors) => {
            let message = errors
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join("; ");
            let markup = import_page(page, state, id, None, Some(&message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response())
        }
        other => Err(other),
    }
}

/// A previewed file, to show and to carry back.
struct Shown<'a> {
    preview: &'a Preview,
    file_name: &'a str,
    bytes: &'a [u8],
}

async fn import_page(
    page: &Page,
    state: &AppState,
    id: i64,
    shown: Option<&Shown<'_>>,
    error: Option<&str>,
) -> Result<Markup> {
    let program = state.programs.program_now(id).await?;
    let heading = program
        .number
        .clone()
        .unwrap_or_else(|| program.title.clone());
    let title = format!(
        "{} — {}",
        page.t("Nhập lại văn bản", "Re-import the document"),
        heading
    );
    let csrf = page
        .caller
        .as_ref()
        .and_then(|c| c.csrf.clone())
        .unwrap_or_default();
    let action = format!("/programs/{id}/import?csrf={csrf}");
    Ok(page.render(
        &title,
        html! {
            p.kicker { a href={ "/programs/" (id) } { (heading) } }
            h1 { (page.t("Nhập lại văn bản", "Re-import the document")) }
            p.muted { (page.t(
                "Tệp đã sửa được đối chiếu với chương trình. Điều chỉnh đã được chấp thuận được giữ nguyên, trừ khi chọn lấy giá trị của tệp; mỗi lựa chọn đó được ghi nhật ký.",
                "The corrected file is compared with the program. Approved changes are kept unless you choose the file's value; each such choice is written to the audit log.")) }
            @if let Some(error) = error { p.error role="alert" { (error) } }
            @if let Some(shown) = shown {
                (preview_section(page, &action, shown))
            }
            form #reimport-choose method="post" enctype="multipart/form-data" action=(action) {
                label for="file" { (page.t("Tệp văn bản (Markdown, HTML, CSV, XLSX, DOCX, văn bản)", "Document file (Markdown, HTML, CSV, XLSX, DOCX, text)")) }
                input #file type="file" name="file" required;
                input type="hidden" name="step" value="preview";
                button type="submit" { (page.t("Xem trước", "Preview")) }
            }
        },
    ))
}

fn preview_section(page: &Page, action: &str, shown: &Shown<'_>) -> Markup {
    let preview = shown.preview;
    let diff = preview.diff.to_string();
    html! {
        section #reimport-preview {
            h2 { (page.t("Thay đổi sẽ áp dụng", "Changes to apply")) }
            pre #reimport-diff { (diff) }
            form #reimport-apply method="post" enctype="multipart/form-data" action=(action) {
                input type="hidden" name="step" value="import";
                input type="hidden" name="file_name" value=(shown.file_name);
                input type="hidden" name="content" value=(hex::encode(shown.bytes));
                @if !preview.conflicts.is_empty() {
                    h3 { (page.t("Khác với điều chỉnh đã được chấp thuận", "Conflicts with approved changes")) }
                    table #reimport-conflicts {
                        thead { tr {
                            th { (page.t("Nhiệm vụ", "Task")) }
                            th { (page.t("Nội dung", "Field")) }
                            th { (page.t("Theo tệp", "The file says")) }
                            th { (page.t("Theo điều chỉnh", "Approved change")) }
                            th { (page.t("Quyết định", "Decision")) }
                            th { (page.t("Lấy giá trị của tệp", "Take the file's value")) }
                        } }
                        tbody {
                            @for c in &preview.conflicts {
                                (conflict_row(page, c))
                            }
                        }
                    }
                }
                button type="submit" { (page.t("Nhập", "Import")) }
            }
        }
    }
}

fn conflict_row(page: &Page, c: &Conflict) -> Markup {
    let key = c.key();
    let id = format!("take-{}", key.replace(['#', '.'], "-"));
    html! {
        tr data-conflict=(key) data-settled=(if c.settled == Settled::TookFile { "took_file" } else { "kept_decision" }) {
            td { (c.task_code) }
            td { (field_label(page, &c.field)) }
            td { (c.file) }
            td { (c.decided) }
            td {
                (page.t("Đề xuất", "Change request")) " #" (c.change_request_id)
                @if let Some(on) = c.decided_on { ", " (page.lang.date(on)) }
                @if let Some(note) = &c.decision_note { br; small.muted { (note) } }
            }
            td {
                input type="checkbox" id=(id) name="take_file" value=(key);
                label for=(id) { (page.t("Lấy theo tệp", "Use the file's")) }
            }
        }
    }
}

fn field_label<'a>(page: &Page, field: &'a str) -> &'a str {
    match field {
        "task" => page.t("Nhiệm vụ (bổ sung / bỏ)", "The task (added / dropped)"),
        "title" => page.t("Tên nhiệm vụ", "Title"),
        "expected_output" => page.t("Kết quả / Sản phẩm", "Expected output"),
        "lead" => page.t("Cơ quan chủ trì", "Lead agency"),
        "coordinating" => page.t("Cơ quan phối hợp", "Coordinating agencies"),
        "time_frame" => page.t("Thời gian thực hiện", "Time frame"),
        other => other,
    }
}
