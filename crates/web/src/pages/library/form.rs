//! Adding and changing an item in the browser: the fields of `dongbo_library::ItemInput`, as
//! a librarian of the owner agency (or an admin) fills them in. A refused form comes back with
//! what was typed and each message beside its field.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_domain::library::ItemKind;
use dongbo_library::ItemInput;
use maud::{Markup, html};

use super::super::Page;
use super::super::form::{self as refused, Refusal};
use super::COUNTRIES;
use crate::AppState;
use crate::error::{Error, Result};

/// A form's fields as sent, repeated names kept (topics are checkboxes).
type Fields = Vec<(String, String)>;

fn one<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn optional(fields: &Fields, name: &str) -> Option<String> {
    Some(one(fields, name).trim().to_owned()).filter(|v| !v.is_empty())
}

/// A list typed in one box: split at semicolons and line ends (and commas, for codes).
pub(super) fn list(text: &str) -> Vec<String> {
    text.split([';', '\n', ','])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Countries typed by code or by name ("Lào", "han quoc", "FR"): each as its code, a name
/// no country has kept as typed, for the check to name.
fn countries(text: &str) -> Vec<String> {
    let whole = text.trim();
    if let Some(country) = (!whole.is_empty()).then(|| COUNTRIES.find(whole)).flatten() {
        return vec![country.alpha2.clone()];
    }
    list(text)
        .into_iter()
        .map(|typed| {
            COUNTRIES
                .find(&typed)
                .map_or(typed, |country| country.alpha2.clone())
        })
        .collect()
}

fn input_of(fields: &Fields) -> ItemInput {
    ItemInput {
        title: one(fields, "title").to_owned(),
        summary: optional(fields, "summary"),
        body: optional(fields, "body"),
        language: optional(fields, "language"),
        kind: one(fields, "kind").to_owned(),
        topics: fields
            .iter()
            .filter(|(k, _)| k == "topics")
            .map(|(_, v)| v.clone())
            .collect(),
        countries: countries(one(fields, "countries")),
        audiences: list(one(fields, "audiences")),
        owner: optional(fields, "owner"),
        author: optional(fields, "author"),
        published_on: optional(fields, "published_on"),
        event_on: optional(fields, "event_on"),
        rights: optional(fields, "rights"),
        licence: optional(fields, "licence"),
        visibility: optional(fields, "visibility"),
        visible_to: list(one(fields, "visible_to")),
        url: optional(fields, "url"),
        work_id: None,
    }
}

/// The form's values for an item as stored, as the form names them.
fn fields_of(item: &dongbo_library::Item) -> Fields {
    let data = &item.data;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut fields: Fields = vec![
        ("title".into(), data.title.clone()),
        ("summary".into(), data.summary.clone()),
        ("body".into(), data.body.clone()),
        ("language".into(), data.language.clone()),
        ("kind".into(), data.kind.as_str().into()),
        ("countries".into(), data.countries.join("; ")),
        ("audiences".into(), data.audiences.join("; ")),
        ("owner".into(), data.owner.clone().unwrap_or_default()),
        ("author".into(), data.author.clone().unwrap_or_default()),
        ("published_on".into(), date(data.published_on)),
        ("event_on".into(), date(data.event_on)),
        ("rights".into(), data.rights.clone().unwrap_or_default()),
        ("licence".into(), data.licence.clone().unwrap_or_default()),
        ("visibility".into(), data.visibility.scope().into()),
        ("visible_to".into(), data.visibility.agencies().join("; ")),
        ("url".into(), data.link_url.clone().unwrap_or_default()),
    ];
    fields.extend(data.topics.iter().map(|t| ("topics".to_owned(), t.clone())));
    fields
}

async fn show(
    page: &Page,
    state: &AppState,
    item_id: Option<i64>,
    values: &Fields,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let caller = page.caller()?;
    let topics = state.library.topics().await?;
    let title = match item_id {
        Some(_) => page.t("Sửa tài liệu", "Edit the item"),
        None => page.t("Thêm tài liệu vào thư viện", "Add an item to the library"),
    };
    let action = item_id.map_or_else(
        || "/library/items".to_owned(),
        |id| format!("/library/items/{id}"),
    );
    let value = |name: &str| -> String {
        refusal
            .map(|r| r.value(name).unwrap_or("").to_owned())
            .unwrap_or_else(|| one(values, name).to_owned())
    };
    let chosen_topics: Vec<String> = match refusal {
        Some(r) => r.values("topics").map(str::to_owned).collect(),
        None => values
            .iter()
            .filter(|(k, _)| k == "topics")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let mut owners = caller.agencies();
    let stored_owner = value("owner");
    if !stored_owner.is_empty() && !owners.contains(&stored_owner) {
        owners.insert(0, stored_owner.clone());
    }
    let visibility = Some(value("visibility"))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "government".to_owned());
    let field = |name: &str, label: &str, hint: Option<&str>, control: Markup| {
        html! {
            div.field {
                label for=(name) { (label) }
                @if let Some(hint) = hint { small.hint { (hint) } }
                (control)
                (refused::error(refusal, name))
            }
        }
    };
    let text = |name: &str| {
        html! {
            input type="text" id=(name) name=(name) value=(value(name))
                aria-invalid=[refused::invalid(refusal, name)]
                aria-describedby=[refused::described_by(refusal, name)];
        }
    };
    let date = |name: &str| {
        html! {
            input type="date" id=(name) name=(name) value=(value(name))
                aria-invalid=[refused::invalid(refusal, name)];
        }
    };
    let area = |name: &str, rows: u32| {
        html! {
            textarea id=(name) name=(name) rows=(rows)
                aria-invalid=[refused::invalid(refusal, name)] { (value(name)) }
        }
    };
    Ok(page.render(
        title,
        html! {
            p.breadcrumb { a href="/library" { (page.t("Thư viện", "Library")) } }
            h1 { (title) }
            (refused::summary(page, refusal))
            form.library-item #library-item method="post" action=(action) {
                (page.csrf_field())
                (field("title", page.t("Tiêu đề", "Title"), None, text("title")))
                (field("kind", page.t("Loại", "Kind"), None, html! {
                    select id="kind" name="kind" {
                        @for kind in ItemKind::ALL {
                            option value=(kind.as_str()) selected[value("kind") == kind.as_str()] {
                                (page.t(kind.label_vi(), kind.label_en()))
                            }
                        }
                    }
                }))
                (field("summary", page.t("Tóm tắt", "Summary"), None, area("summary", 3)))
                (field("body", page.t("Nội dung", "Text"), None, area("body", 12)))
                (field("language", page.t("Ngôn ngữ (mã ISO 639-1; để trống để tự nhận biết)", "Language (ISO 639-1; blank to detect)"), None, text("language")))
                fieldset.field #topics {
                    legend { (page.t("Chủ đề", "Topics")) }
                    @for stored in &topics {
                        @let topic = &stored.topic;
                        label.check {
                            input type="checkbox" name="topics" value=(topic.code) checked[chosen_topics.contains(&topic.code)];
                            @if topic.parent.is_some() { "— " }
                            (page.t(&topic.name_vi, &topic.name_en))
                        }
                    }
                    (refused::error(refusal, "topics"))
                }
                (field("countries", page.t("Quốc gia, khu vực", "Countries and regions"),
                    Some(page.t("Tên hoặc mã, cách nhau bằng dấu chấm phẩy: Lào; Campuchia; FR", "Names or codes, separated by semicolons")), text("countries")))
                (field("audiences", page.t("Đối tượng", "Audiences"), Some(page.t("Cách nhau bằng dấu chấm phẩy", "Separated by semicolons")), text("audiences")))
                (field("owner", page.t("Cơ quan sở hữu", "Owner agency"), None, html! {
                    select id="owner" name="owner" {
                        @for code in &owners {
                            option value=(code) selected[stored_owner == *code] {
                                (state.programs.directory.agency(code).map_or(code.as_str(), |a| page.t(&a.name_vi, &a.name_en)))
                            }
                        }
                    }
                }))
                (field("author", page.t("Tác giả", "Author"), None, text("author")))
                (field("published_on", page.t("Ngày phát hành", "Published on"), None, date("published_on")))
                (field("event_on", page.t("Ngày sự kiện", "Event date"), None, date("event_on")))
                (field("rights", page.t("Quyền", "Rights"), None, text("rights")))
                (field("licence", page.t("Giấy phép", "Licence"), None, text("licence")))
                (field("url", page.t("Liên kết", "Link"), None, text("url")))
                fieldset.field #visibility {
                    legend { (page.t("Phạm vi", "Visibility")) }
                    @for (scope, vi, en) in [
                        ("public", "Công khai", "Public"),
                        ("government", "Nội bộ cơ quan nhà nước", "Government only"),
                        ("agencies", "Chỉ các cơ quan dưới đây", "Only the agencies below"),
                    ] {
                        label.check {
                            input type="radio" name="visibility" value=(scope) checked[visibility == scope];
                            (page.t(vi, en))
                        }
                    }
                    (refused::error(refusal, "visibility"))
                }
                (field("visible_to", page.t("Các cơ quan được xem (mã, cách nhau bằng dấu chấm phẩy)", "Agencies that may read it (codes)"), None, text("visible_to")))
                button type="submit" { (page.t("Lưu", "Save")) }
            }
            @if let Some(id) = item_id {
                form.danger method="post" action={ "/library/items/" (id) "/delete" } {
                    (page.csrf_field())
                    details {
                        summary { (page.t("Xóa tài liệu này", "Delete this item")) }
                        button type="submit" { (page.t("Xóa hẳn", "Delete it")) }
                    }
                }
            }
        },
    ))
}

pub async fn new_form(page: Page, State(state): State<AppState>) -> Result<Markup> {
    let fields: Fields = page
        .caller()?
        .agencies()
        .first()
        .map(|code| vec![("owner".to_owned(), code.clone())])
        .unwrap_or_default();
    show(&page, &state, None, &fields, None).await
}

pub async fn edit_form(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Markup> {
    let caller = page.caller()?;
    let item = state.library.get(Some(&caller.who), id).await?;
    if !state.library.may_edit(&caller.who, &item) {
        return Err(Error::Forbidden);
    }
    show(&page, &state, Some(id), &fields_of(&item), None).await
}

async fn refused(
    page: Page,
    state: &AppState,
    item_id: Option<i64>,
    fields: Fields,
    error: dongbo_library::Error,
) -> Result<Response> {
    let refusal = Refusal::of("library-item", fields.clone(), Error::from(error))?;
    let markup = show(&page, state, item_id, &fields, Some(&refusal)).await?;
    Ok(Refusal::answer(markup))
}

pub async fn create(
    page: Page,
    State(state): State<AppState>,
    Form(fields): Form<Fields>,
) -> Result<Response> {
    let caller = page.caller()?.clone();
    match state.library.create(&caller.who, &input_of(&fields)).await {
        Ok(written) => {
            // The writer sees their item in the search at once.
            state.library.catch_up().await.ok();
            // The same text was already an item (merged, or unchanged when the form adds no
            // provenance): that one is shown, saying so.
            let merged = if written.outcome != dongbo_library::Outcome::Created {
                "?merged=1"
            } else {
                ""
            };
            Ok(Redirect::to(&format!("/library/items/{}{merged}", written.id)).into_response())
        }
        Err(error) => refused(page, &state, None, fields, error).await,
    }
}

pub async fn update(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> Result<Response> {
    let caller = page.caller()?.clone();
    match state
        .library
        .update(&caller.who, id, &input_of(&fields))
        .await
    {
        Ok(_) => {
            state.library.catch_up().await.ok();
            Ok(Redirect::to(&format!("/library/items/{id}")).into_response())
        }
        Err(error) => refused(page, &state, Some(id), fields, error).await,
    }
}

pub async fn delete(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response> {
    let caller = page.caller()?.clone();
    state.library.delete(&caller.who, id).await?;
    state.library.catch_up().await.ok();
    Ok(Redirect::to("/library").into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct Cite {
    assignment: i64,
}

/// Cites the item in the caller's report on an assignment (its draft for the current period)
/// and shows that report, the item among its evidence.
pub async fn cite(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(form): Form<Cite>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    dongbo_programs::reports::cite_library_item(&actor, form.assignment, None, id).await?;
    Ok(Redirect::to(&format!(
        "/assignments/{}/report#library-items",
        form.assignment
    ))
    .into_response())
}

/// `POST /library/items/{id}/files?csrf=…` (multipart, one `file`): attaches a file to the
/// item; its text becomes the item's (or follows it). A refused file shows the item again
/// with the reason beside the form.
pub async fn attach(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    mut form: axum::extract::Multipart,
) -> Result<Response> {
    let caller = page.caller()?.clone();
    let mut sent: Option<(String, Vec<u8>)> = None;
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
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|_| Error::BadRequest("the file is too large or was cut off".to_owned()))?;
        sent = Some((name, bytes.to_vec()));
    }
    let (name, bytes) = sent.unwrap_or_default();
    match state.library.attach(&caller.who, id, &name, bytes).await {
        Ok(_) => {
            state.library.catch_up().await.ok();
            Ok(Redirect::to(&format!("/library/items/{id}#attachments")).into_response())
        }
        Err(dongbo_library::Error::Invalid(errors)) => {
            let message = errors
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join("; ");
            let markup = super::item_page(&page, &state, id, false, Some(&message)).await?;
            Ok(Refusal::answer(markup))
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /library/items/{id}/files/{position}/delete`: removes a file from the item.
pub async fn detach(
    page: Page,
    State(state): State<AppState>,
    Path((id, position)): Path<(i64, usize)>,
) -> Result<Response> {
    let caller = page.caller()?.clone();
    state.library.detach(&caller.who, id, position).await?;
    state.library.catch_up().await.ok();
    Ok(Redirect::to(&format!("/library/items/{id}#attachments")).into_response())
}

/// `GET /library/items/{id}/files/{position}`: the file, for whoever may read the item (to
/// anyone else it does not exist, as the item does not).
pub async fn download(
    page: Page,
    State(state): State<AppState>,
    Path((id, position)): Path<(i64, usize)>,
) -> Result<Response> {
    let caller = page.caller.as_ref().map(|c| &c.who);
    let file = state.library.file(caller, id, position).await?;
    Ok(super::super::stored_file(
        &file.attachment.media_type,
        &file.attachment.name,
        file.bytes,
    ))
}
