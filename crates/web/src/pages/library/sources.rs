//! The library's pull sources and their health (`/library/sources`): for a librarian of an
//! agency (or an admin above it), the sources whose items are the agency's — status, last
//! poll, failures in a row, next poll, why a source was disabled, items made, who may read its
//! items — with the form that registers one, and the buttons that enable a disabled source
//! again, ask for a poll now, or give it (and its items) another visibility. Every action goes
//! through `dongbo_library`, which checks who may.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, FixedOffset, Utc};
use dongbo_domain::library::Visibility;
use dongbo_library::feeds::{Source, SourceInput};
use maud::{Markup, html};
use serde::Deserialize;

use super::super::Page;
use super::super::form::{self as refused, Refusal};
use crate::AppState;
use crate::error::{Error, Result};

type Fields = Vec<(String, String)>;

fn one<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// A time as people in Vietnam read it (UTC+7).
fn when(at: DateTime<Utc>) -> String {
    let format = "%d/%m/%Y %H:%M";
    FixedOffset::east_opt(7 * 3600).map_or_else(
        || at.format(format).to_string(),
        |vietnam| at.with_timezone(&vietnam).format(format).to_string(),
    )
}

/// The source's state in a word or two, and its class for the page's colours.
fn status(page: &Page, source: &Source) -> (String, &'static str) {
    if source.disabled_at.is_some() {
        (page.t("Đã tắt", "Disabled").to_owned(), "status-refused")
    } else if source.failures > 0 {
        (
            format!("{} ({})", page.t("Đang lỗi", "Failing"), source.failures),
            "status-late",
        )
    } else if source.last_polled_at.is_none() {
        (
            page.t("Chưa lấy", "Not polled yet").to_owned(),
            "status-waiting",
        )
    } else {
        (page.t("Hoạt động", "Working").to_owned(), "status-ok")
    }
}

/// The visibilities a source may have, with their names for people.
const SCOPES: [(&str, &str, &str); 3] = [
    (
        "public",
        "Công khai (trang tin công khai)",
        "Public (a public website)",
    ),
    (
        "government",
        "Nội bộ cơ quan nhà nước (mạng nội bộ)",
        "Government only (an intranet)",
    ),
    (
        "agencies",
        "Chỉ các cơ quan được liệt kê",
        "Only the agencies listed",
    ),
];

fn scope_name(page: &Page, visibility: &Visibility) -> String {
    let (_, vi, en) = SCOPES
        .iter()
        .find(|(scope, _, _)| *scope == visibility.scope())
        .unwrap_or(&SCOPES[1]);
    match visibility {
        Visibility::Agencies(codes) => format!("{}: {}", page.t(vi, en), codes.join(", ")),
        _ => page.t(vi, en).to_owned(),
    }
}

/// The radio buttons of a visibility, `checked` the one chosen.
fn scope_choice(page: &Page, name: &str, checked: &str) -> Markup {
    html! {
        @for (scope, vi, en) in SCOPES {
            label.check {
                input type="radio" name=(name) value=(scope) checked[checked == scope];
                (page.t(vi, en))
            }
        }
    }
}

/// What the last change of a source's visibility did, said on the page it comes back to.
#[derive(Debug, Default, Deserialize)]
pub struct Changed {
    changed: Option<usize>,
    kept: Option<usize>,
}

async fn show(
    page: &Page,
    state: &AppState,
    refusal: Option<&Refusal>,
    changed: &Changed,
) -> Result<Markup> {
    let caller = page.caller()?;
    let sources = state.library.sources(&caller.who).await?;
    let title = page.t("Nguồn tin tự động", "Pull sources");
    let value = |name: &str| refusal.and_then(|r| r.value(name)).unwrap_or("").to_owned();
    let owners = caller.who.agencies();
    let kind = Some(value("kind"))
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| "feed".to_owned());
    let scope = Some(value("visibility"))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "government".to_owned());
    let minutes = Some(value("poll_minutes"))
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "60".to_owned());
    let text = |name: &str| {
        html! {
            input type="text" id=(name) name=(name) value=(value(name))
                aria-invalid=[refused::invalid(refusal, name)]
                aria-describedby=[refused::described_by(refusal, name)];
        }
    };
    Ok(page.render(
        title,
        html! {
            p.breadcrumb { a href="/library" { (page.t("Thư viện", "Library")) } }
            h1 { (title) }
            p { (page.t(
                "Trang tin (RSS, Atom, JSON Feed) hoặc sơ đồ trang (sitemap) của cơ quan được lấy định kỳ; mỗi bài thành một tài liệu của cơ quan, với phạm vi của nguồn (công khai cho trang tin công khai, nội bộ cho mạng nội bộ), nội dung lấy từ trang của bài. Nguồn lỗi nhiều lần liên tiếp sẽ bị tắt cho đến khi được bật lại.",
                "An agency's feed (RSS, Atom, JSON Feed) or sitemap, polled on a schedule; each entry becomes an item of the agency with the source's visibility (public for a public website, the government's for an intranet), its text taken from its page. A source that fails too many times in a row is disabled until it is enabled again."
            )) }
            @if let Some(count) = changed.changed {
                p.notice #visibility-changed role="status" {
                    (page.t("Đã đổi phạm vi của nguồn và của ", "The source's visibility is changed, and that of "))
                    (count) (page.t(" tài liệu", " item(s)"))
                    @if let Some(kept) = changed.kept.filter(|k| *k > 0) {
                        "; " (kept) (page.t(
                            " tài liệu giữ phạm vi của mình vì cũng đến từ nguồn khác",
                            " item(s) keep theirs: they came from elsewhere too"
                        ))
                    }
                    "."
                }
            }
            @if sources.is_empty() {
                p #no-sources { (page.t("Chưa có nguồn nào.", "No sources yet.")) }
            } @else {
                table #sources {
                    thead { tr {
                        th { (page.t("Nguồn", "Source")) }
                        th { (page.t("Cơ quan", "Agency")) }
                        th { (page.t("Phạm vi", "Visibility")) }
                        th { (page.t("Tình trạng", "Status")) }
                        th { (page.t("Lần lấy gần nhất", "Last poll")) }
                        th { (page.t("Lần lấy tới", "Next poll")) }
                        th { (page.t("Tài liệu tạo / cập nhật", "Items made / updated")) }
                        th { (page.t("Thao tác", "Actions")) }
                    } }
                    tbody {
                        @for source in &sources {
                            @let (word, class) = status(page, source);
                            tr id={ "source-" (source.id) } {
                                td {
                                    strong { (source.name) }
                                    br;
                                    small { (source.kind.as_str()) " · " a href=(source.url) rel="noopener noreferrer" { (source.url) } }
                                }
                                td { (source.owner) }
                                td.visibility {
                                    span.scope { (scope_name(page, &source.visibility)) }
                                    details {
                                        summary { (page.t("Đổi phạm vi", "Change")) }
                                        form.source-visibility method="post" action={ "/library/sources/" (source.id) "/visibility" } {
                                            (page.csrf_field())
                                            (scope_choice(page, "visibility", source.visibility.scope()))
                                            label {
                                                (page.t("Mã các cơ quan (nếu chỉ các cơ quan được liệt kê)", "Agencies' codes (when only those listed)"))
                                                input type="text" name="visible_to" value=(source.visibility.agencies().join("; "));
                                            }
                                            button type="submit" { (page.t("Đổi phạm vi, cả các tài liệu đã lấy", "Change it, items already taken too")) }
                                        }
                                    }
                                }
                                td {
                                    span class=(class) { (word) }
                                    @if let Some(reason) = &source.disabled_reason {
                                        p.disabled-reason { (page.t("Lý do", "Why")) ": " (reason) }
                                    } @else if let Some(error) = &source.last_error {
                                        p.last-error { (error) }
                                    }
                                }
                                td {
                                    @if let Some(at) = source.last_polled_at {
                                        (when(at))
                                        @if let Some(status) = source.last_status { " · HTTP " (status) }
                                    } @else { "—" }
                                }
                                td {
                                    @if source.disabled_at.is_some() { "—" } @else { (when(source.next_poll_at)) }
                                }
                                td { (source.items_created) " / " (source.items_updated) }
                                td {
                                    @if source.disabled_at.is_some() {
                                        form method="post" action={ "/library/sources/" (source.id) "/enable" } {
                                            (page.csrf_field())
                                            button type="submit" { (page.t("Bật lại", "Enable again")) }
                                        }
                                    } @else {
                                        form method="post" action={ "/library/sources/" (source.id) "/poll" } {
                                            (page.csrf_field())
                                            button type="submit" { (page.t("Lấy ngay", "Poll now")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (page.t("Thêm nguồn", "Add a source")) }
            (refused::summary(page, refusal))
            form.library-source #library-source method="post" action="/library/sources" {
                (page.csrf_field())
                div.field {
                    label for="name" { (page.t("Tên", "Name")) }
                    (text("name"))
                    (refused::error(refusal, "name"))
                }
                div.field {
                    label for="url" { (page.t("Địa chỉ (http hoặc https)", "Address (http or https)")) }
                    (text("url"))
                    (refused::error(refusal, "url"))
                }
                div.field {
                    label for="kind" { (page.t("Loại", "Kind")) }
                    select id="kind" name="kind" {
                        option value="feed" selected[kind == "feed"] { (page.t("Trang tin (RSS, Atom, JSON Feed)", "Feed (RSS, Atom, JSON Feed)")) }
                        option value="sitemap" selected[kind == "sitemap"] { (page.t("Sơ đồ trang (sitemap)", "Sitemap")) }
                    }
                    (refused::error(refusal, "kind"))
                }
                div.field {
                    label for="owner" { (page.t("Cơ quan sở hữu", "Owner agency")) }
                    select id="owner" name="owner" {
                        @for code in &owners {
                            option value=(code) selected[value("owner") == *code] {
                                (state.programs.directory.agency(code).map_or(code.as_str(), |a| page.t(&a.name_vi, &a.name_en)))
                            }
                        }
                    }
                    (refused::error(refusal, "owner"))
                }
                fieldset.field #visibility {
                    legend { (page.t("Phạm vi các tài liệu lấy về", "Who may read its items")) }
                    (scope_choice(page, "visibility", &scope))
                    (refused::error(refusal, "visibility"))
                }
                div.field {
                    label for="visible_to" { (page.t("Mã các cơ quan được xem (cách nhau bằng dấu chấm phẩy)", "Agencies that may read them (codes)")) }
                    (text("visible_to"))
                    (refused::error(refusal, "visible_to"))
                }
                div.field {
                    label for="poll_minutes" { (page.t("Số phút giữa hai lần lấy", "Minutes between two polls")) }
                    input type="number" id="poll_minutes" name="poll_minutes" min="5" max="10080" value=(minutes)
                        aria-invalid=[refused::invalid(refusal, "poll_minutes")];
                    (refused::error(refusal, "poll_minutes"))
                }
                button type="submit" { (page.t("Thêm nguồn", "Add the source")) }
            }
        },
    ))
}

pub async fn list(
    page: Page,
    State(state): State<AppState>,
    Query(changed): Query<Changed>,
) -> Result<Markup> {
    show(&page, &state, None, &changed).await
}

fn input_of(fields: &Fields) -> SourceInput {
    let minutes = one(fields, "poll_minutes").trim();
    SourceInput {
        owner: one(fields, "owner").to_owned(),
        kind: one(fields, "kind").to_owned(),
        url: one(fields, "url").to_owned(),
        name: one(fields, "name").to_owned(),
        // A number the browser let through that is not one: outside the range, refused.
        poll_minutes: (!minutes.is_empty()).then(|| minutes.parse().unwrap_or(0)),
        visibility: Some(one(fields, "visibility").to_owned()).filter(|v| !v.is_empty()),
        visible_to: super::form::list(one(fields, "visible_to")),
    }
}

pub async fn add(
    page: Page,
    State(state): State<AppState>,
    Form(fields): Form<Fields>,
) -> Result<Response> {
    let caller = page.caller()?.clone();
    match state
        .library
        .add_source(&caller.who, &input_of(&fields))
        .await
    {
        Ok(source) => {
            Ok(Redirect::to(&format!("/library/sources#source-{}", source.id)).into_response())
        }
        Err(error) => {
            let refusal = Refusal::of("library-source", fields, Error::from(error))?;
            let markup = show(&page, &state, Some(&refusal), &Changed::default()).await?;
            Ok(Refusal::answer(markup))
        }
    }
}

pub async fn visibility(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> Result<Response> {
    let caller = page.caller()?.clone();
    let scope = Some(one(&fields, "visibility").to_owned()).filter(|v| !v.is_empty());
    let change = state
        .library
        .set_source_visibility(
            &caller.who,
            id,
            &scope,
            &super::form::list(one(&fields, "visible_to")),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/library/sources?changed={}&kept={}#source-{id}",
        change.changed, change.kept
    ))
    .into_response())
}

pub async fn enable(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response> {
    let caller = page.caller()?.clone();
    state.library.enable_source(&caller.who, id).await?;
    Ok(Redirect::to(&format!("/library/sources#source-{id}")).into_response())
}

pub async fn poll(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response> {
    let caller = page.caller()?.clone();
    state.library.poll_source_soon(&caller.who, id).await?;
    Ok(Redirect::to(&format!("/library/sources#source-{id}")).into_response())
}
