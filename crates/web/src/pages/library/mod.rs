//! The library (thư viện thông tin đối ngoại): the search page with its facets, an item's
//! page, the form a librarian adds or changes an item with, and the pull sources with their
//! health (`sources`). Every read goes through `dongbo_library`, which puts the caller's
//! readership inside the search and checks it on each item.

pub mod duplicates;
mod form;
pub mod sources;
mod topics;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::extract::{Path, Query, State};
use dongbo_domain::geo::Countries;
use dongbo_domain::library::ItemKind;
use dongbo_library::search::SearchParams;
use dongbo_search::Results;
use maud::{Markup, html};

use super::Page;
use crate::AppState;
use crate::error::{Result, urlencode};

pub use form::{attach, cite, create, delete, detach, download, edit_form, new_form, update};
pub use topics::{list as topics, save as save_topic};

static COUNTRIES: LazyLock<Countries> = LazyLock::new(Countries::bundled);

/// A kind's label in the page's language, or the stored name for one this version does not
/// know.
pub(crate) fn kind_label(page: &Page, kind: &str) -> String {
    ItemKind::ALL
        .iter()
        .find(|k| k.as_str() == kind)
        .map_or_else(
            || kind.to_owned(),
            |k| page.t(k.label_vi(), k.label_en()).to_owned(),
        )
}

/// A language's name as officials read it.
pub(crate) fn language_label(page: &Page, code: &str) -> String {
    let names: &[(&str, &str, &str)] = &[
        ("vi", "Tiếng Việt", "Vietnamese"),
        ("en", "Tiếng Anh", "English"),
        ("fr", "Tiếng Pháp", "French"),
        ("de", "Tiếng Đức", "German"),
        ("ru", "Tiếng Nga", "Russian"),
        ("zh", "Tiếng Trung", "Chinese"),
        ("ja", "Tiếng Nhật", "Japanese"),
        ("ko", "Tiếng Hàn", "Korean"),
        ("lo", "Tiếng Lào", "Lao"),
        ("km", "Tiếng Khmer", "Khmer"),
        ("es", "Tiếng Tây Ban Nha", "Spanish"),
        ("pt", "Tiếng Bồ Đào Nha", "Portuguese"),
        ("no", "Tiếng Na Uy", "Norwegian"),
        ("nb", "Tiếng Na Uy", "Norwegian"),
        ("pl", "Tiếng Ba Lan", "Polish"),
        ("it", "Tiếng Italy", "Italian"),
        ("th", "Tiếng Thái", "Thai"),
    ];
    names
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, vi, en)| page.t(vi, en).to_owned())
}

pub(crate) fn country_label(page: &Page, code: &str) -> String {
    COUNTRIES.by_code(code).map_or_else(
        || code.to_owned(),
        |c| page.t(&c.name_vi, &c.name_en).to_owned(),
    )
}

fn visibility_label(page: &Page, scope: &str) -> String {
    match scope {
        "public" => page.t("Công khai", "Public"),
        "government" => page.t("Nội bộ cơ quan nhà nước", "Government"),
        "agencies" => page.t("Hạn chế theo cơ quan", "Named agencies"),
        other => other,
    }
    .to_owned()
}

/// The facets in the order the page shows them, each with its heading.
fn facet_headings(page: &Page) -> [(&'static str, &'static str, String); 7] {
    [
        ("kind", "kind", page.t("Loại", "Kind").to_owned()),
        (
            "language",
            "lang",
            page.t("Ngôn ngữ", "Language").to_owned(),
        ),
        ("topic", "topic", page.t("Chủ đề", "Topic").to_owned()),
        (
            "country",
            "country",
            page.t("Quốc gia, khu vực", "Country or region").to_owned(),
        ),
        ("agency", "agency", page.t("Cơ quan", "Agency").to_owned()),
        ("year", "year", page.t("Năm", "Year").to_owned()),
        (
            "visibility",
            "visibility",
            page.t("Phạm vi", "Visibility").to_owned(),
        ),
    ]
}

/// The search's parameters as a query string, with `key` set to `value` (or removed), page
/// back to 1.
fn with_param(params: &SearchParams, key: &str, value: Option<&str>) -> String {
    let mut pairs: Vec<(&str, &str)> = [
        ("q", Some(params.q.as_str())),
        ("kind", params.kind.as_deref()),
        ("lang", params.lang.as_deref()),
        ("topic", params.topic.as_deref()),
        ("country", params.country.as_deref()),
        ("agency", params.agency.as_deref()),
        ("from", params.from.as_deref()),
        ("to", params.to.as_deref()),
        ("sort", params.sort.as_deref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v.filter(|v| !v.is_empty())?)))
    .filter(|(k, _)| *k != key)
    .collect();
    if let Some(value) = value {
        pairs.push((key, value));
    }
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!("/library?{query}")
}

/// The same search with the words written as `reading` (its diacritics mean it exactly).
fn reading_href(params: &SearchParams, reading: &str) -> String {
    let mut p = params.clone();
    p.q = reading.to_owned();
    with_param(&p, "page", None)
}

/// The year facet filters by the year's first and last day.
fn year_params(params: &SearchParams, year: &str) -> String {
    let mut p = params.clone();
    p.from = Some(format!("{year}-01-01"));
    p.to = Some(format!("{year}-12-31"));
    with_param(&p, "page", None)
}

pub async fn search(
    page: Page,
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Markup> {
    let caller = page.caller.as_ref().map(|c| &c.who);
    let searched = !params.q.trim().is_empty()
        || [
            &params.kind,
            &params.lang,
            &params.topic,
            &params.country,
            &params.agency,
        ]
        .iter()
        .any(|v| v.is_some());
    // Items in the page's language rank first among matches as good.
    let mut asked = params.clone();
    asked
        .prefer_lang
        .get_or_insert_with(|| page.lang.code().to_owned());
    let results = state.library.search(caller, &asked).await?;
    let topics: BTreeMap<String, String> = state
        .library
        .topics()
        .await?
        .into_iter()
        .map(|t| {
            let name = page.t(&t.topic.name_vi, &t.topic.name_en).to_owned();
            (t.topic.code, name)
        })
        .collect();
    let value_label = |facet: &str, value: &str| -> String {
        match facet {
            "kind" => kind_label(&page, value),
            "language" => language_label(&page, value),
            "topic" => topics
                .get(value)
                .cloned()
                .unwrap_or_else(|| value.to_owned()),
            "country" => country_label(&page, value),
            "agency" => state.programs.directory.agency(value).map_or_else(
                || value.to_owned(),
                |a| page.t(&a.name_vi, &a.name_en).to_owned(),
            ),
            "visibility" => visibility_label(&page, value),
            _ => value.to_owned(),
        }
    };
    let title = page.t(
        "Thư viện thông tin đối ngoại",
        "External information library",
    );
    let per_page = params.per_page.unwrap_or(20);
    let current_page = params.page.unwrap_or(1);
    let pages = (results.total as usize)
        .div_ceil(per_page.max(1))
        .min(dongbo_library::search::MAX_PAGES);
    let may_add = page.caller.is_some();
    Ok(page.render(
        title,
        html! {
            h1 { (title) }
            form.search-big #library-search action="/library" method="get" role="search" {
                input type="search" name="q" value=(params.q) autofocus
                    placeholder=(page.t("Gõ có dấu hoặc không dấu: thong tin doi ngoai", "Type with or without diacritics"))
                    aria-label=(page.t("Tìm trong thư viện", "Search the library"));
                @for (key, value) in [("kind", &params.kind), ("lang", &params.lang), ("topic", &params.topic), ("country", &params.country), ("agency", &params.agency), ("from", &params.from), ("to", &params.to)] {
                    @if let Some(value) = value { input type="hidden" name=(key) value=(value); }
                }
                button type="submit" { (page.t("Tìm", "Search")) }
            }
            p.library-links {
                @if may_add {
                    a href="/library/new" { (page.t("Thêm tài liệu", "Add an item")) } " · "
                    a href="/library/sources" { (page.t("Nguồn tự động", "Pull sources")) } " · "
                    a href="/library/duplicates" { (page.t("Tài liệu gần trùng", "Near-duplicates")) } " · "
                }
                a href="/library/topics" { (page.t("Các chủ đề", "Topics")) }
            }
            (active_filters(&page, &params, &value_label))
            @if results.folded {
                p.notice #folded {
                    (page.t("Không có kết quả đúng dấu như đã gõ; đây là kết quả không phân biệt dấu.",
                        "Nothing matched the diacritics as typed; these results ignore them."))
                }
            }
            @if !results.readings.is_empty() {
                p.readings #readings {
                    (page.t("Tìm đúng dấu: ", "Search exactly: "))
                    @for (n, reading) in results.readings.iter().enumerate() {
                        @if n > 0 { " · " }
                        a href=(reading_href(&params, reading)) lang="vi" { (reading) }
                    }
                }
            }
            div.library {
                aside.facets {
                    details open {
                        summary { (page.t("Lọc kết quả", "Filter")) }
                        @for (facet, param, heading) in facet_headings(&page) {
                            @if let Some(values) = results.facets.get(facet).filter(|v| !v.is_empty()) {
                                section.facet data-facet=(facet) {
                                    h3 { (heading) }
                                    ul { @for (value, count) in values {
                                        li {
                                            // Visibility is counted, not filtered by: no link.
                                            @if facet == "visibility" {
                                                span { (value_label(facet, value)) }
                                            } @else if facet == "year" {
                                                a href=(year_params(&params, value)) { (value_label(facet, value)) }
                                            } @else {
                                                a href=(with_param(&params, param, Some(value))) { (value_label(facet, value)) }
                                            }
                                            " " span.count { (count) }
                                        }
                                    } }
                                }
                            }
                        }
                    }
                }
                section.hits {
                    p.muted #total {
                        (results.total) " " (page.t("kết quả", "results"))
                        @if searched || results.total > 0 {
                            " · "
                            @if params.sort.as_deref() == Some("newest") {
                                a href=(with_param(&params, "sort", None)) { (page.t("Xếp theo mức liên quan", "Sort by relevance")) }
                            } @else {
                                a href=(with_param(&params, "sort", Some("newest"))) { (page.t("Xếp mới nhất trước", "Newest first")) }
                            }
                        }
                    }
                    (hits(&page, &results))
                    @if pages > 1 {
                        nav.pages aria-label=(page.t("Trang", "Pages")) {
                            @if current_page > 1 {
                                a rel="prev" href=(with_param(&params, "page", Some(&(current_page - 1).to_string()))) { "‹ " (page.t("Trước", "Previous")) }
                            }
                            " " span { (page.t("Trang", "Page")) " " (current_page) "/" (pages) } " "
                            @if current_page < pages {
                                a rel="next" href=(with_param(&params, "page", Some(&(current_page + 1).to_string()))) { (page.t("Sau", "Next")) " ›" }
                            }
                        }
                    }
                }
            }
        },
    ))
}

fn active_filters(
    page: &Page,
    params: &SearchParams,
    label: &dyn Fn(&str, &str) -> String,
) -> Markup {
    let active: Vec<(&str, &str, String)> = [
        ("kind", "kind", &params.kind),
        ("language", "lang", &params.lang),
        ("topic", "topic", &params.topic),
        ("country", "country", &params.country),
        ("agency", "agency", &params.agency),
    ]
    .into_iter()
    .filter_map(|(facet, param, value)| {
        value
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| (param, facet, label(facet, v)))
    })
    .collect();
    let dates = params.from.is_some() || params.to.is_some();
    let without_dates = SearchParams {
        from: None,
        to: None,
        ..params.clone()
    };
    html! {
        @if !active.is_empty() || dates {
            p.filters {
                (page.t("Đang lọc:", "Filtered by:"))
                @for (param, _, shown) in &active {
                    " " a.filter href=(with_param(params, param, None)) title=(page.t("Bỏ lọc", "Remove")) { (shown) " ×" }
                }
                @if dates {
                    " " a.filter href=(with_param(&without_dates, "page", None)) {
                        (params.from.as_deref().unwrap_or("…")) " – " (params.to.as_deref().unwrap_or("…")) " ×"
                    }
                }
            }
        }
    }
}

fn hits(page: &Page, results: &Results) -> Markup {
    html! {
        ol.library-hits {
            @for hit in &results.hits {
                li.hit data-id=(hit.id) {
                    a.title href={ "/library/items/" (hit.id) } { (hit.title) }
                    div.meta {
                        (kind_label(page, &hit.kind)) " · " (language_label(page, &hit.language))
                        @if let Some(date) = hit.published_on { " · " (date.format("%d/%m/%Y")) }
                        @if !hit.source.is_empty() { " · " span.source { (hit.source) } }
                    }
                    p.snippet {
                        @for (text, highlighted) in hit.snippet.pieces() {
                            @if highlighted { mark { (text) } } @else { (text) }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct ItemQuery {
    /// Set when a new item's text was already this item's.
    #[serde(default)]
    merged: Option<String>,
}

pub async fn item(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<ItemQuery>,
) -> Result<Markup> {
    item_page(&page, &state, id, query.merged.is_some(), None).await
}

/// Item `id`'s page: `merged` when a new item's text was already this one's, `file_error`
/// the reason a file sent to it was refused (shown beside the form that sent it).
pub(crate) async fn item_page(
    page: &Page,
    state: &AppState,
    id: i64,
    merged: bool,
    file_error: Option<&str>,
) -> Result<Markup> {
    let caller = page.caller.as_ref().map(|c| &c.who);
    let item = state.library.get(caller, id).await?;
    let may_edit = caller.is_some_and(|c| state.library.may_edit(c, &item));
    let citations =
        dongbo_programs::reports::citing_library_item(&state.programs, caller, item.id).await?;
    // The assignments whose reports the caller writes: the item may be cited in one of them.
    let writable = match &page.caller {
        Some(who) => {
            let actor = page.actor(state)?;
            dongbo_programs::work::my_assignments(&actor)
                .await?
                .into_iter()
                .filter(|a| {
                    who.can(
                        dongbo_domain::access::Action::SubmitReport,
                        &a.agency_code,
                        &state.programs.directory,
                    )
                })
                .collect()
        }
        None => Vec::new(),
    };
    let data = &item.data;
    let topics: BTreeMap<String, String> = state
        .library
        .topics()
        .await?
        .into_iter()
        .map(|t| {
            let name = page.t(&t.topic.name_vi, &t.topic.name_en).to_owned();
            (t.topic.code, name)
        })
        .collect();
    Ok(page.render(
        &data.title,
        html! {
            p.breadcrumb { a href="/library" { (page.t("Thư viện", "Library")) } }
            @if merged {
                p.notice #merged role="status" {
                    (page.t("Nội dung này đã có trong thư viện: đây là tài liệu đã có, không tạo bản thứ hai.",
                        "This text is already in the library: here is the item that holds it; no second one was made."))
                }
            }
            h1 #item-title { (data.title) }
            p.meta {
                (kind_label(page, data.kind.as_str())) " · " (language_label(page, &data.language))
                @if let Some(date) = data.published_on { " · " (page.t("ngày", "published")) " " (date.format("%d/%m/%Y")) }
                " · " (visibility_label(page, data.visibility.scope()))
            }
            @if may_edit {
                p { a href={ "/library/items/" (item.id) "/edit" } { (page.t("Sửa", "Edit")) } }
            }
            @if !data.summary.is_empty() { p.summary { (data.summary) } }
            dl.item-fields {
                @if let Some(owner) = &data.owner {
                    dt { (page.t("Cơ quan sở hữu", "Owner agency")) }
                    dd { a href={ "/agencies/" (owner) } { (state.programs.directory.agency(owner).map_or(owner.as_str(), |a| page.t(&a.name_vi, &a.name_en))) } }
                }
                @if let Some(author) = &data.author { dt { (page.t("Tác giả", "Author")) } dd { (author) } }
                @if let Some(date) = data.event_on { dt { (page.t("Ngày sự kiện", "Event date")) } dd { (date.format("%d/%m/%Y")) } }
                @if !data.topics.is_empty() {
                    dt { (page.t("Chủ đề", "Topics")) }
                    dd { @for (i, code) in data.topics.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href={ "/library?topic=" (urlencode(code)) } { (topics.get(code).map_or(code.as_str(), String::as_str)) }
                    } }
                }
                @if !data.countries.is_empty() {
                    dt { (page.t("Quốc gia, khu vực", "Countries and regions")) }
                    dd { @for (i, code) in data.countries.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href={ "/library?country=" (urlencode(code)) } { (country_label(page, code)) }
                    } }
                }
                @if !data.audiences.is_empty() { dt { (page.t("Đối tượng", "Audiences")) } dd { (data.audiences.join(", ")) } }
                @if let Some(rights) = &data.rights { dt { (page.t("Quyền", "Rights")) } dd { (rights) } }
                @if let Some(licence) = &data.licence { dt { (page.t("Giấy phép", "Licence")) } dd { (licence) } }
                @if let Some(url) = &data.link_url { dt { (page.t("Liên kết", "Link")) } dd { a href=(url) rel="noopener noreferrer" { (url) } } }
                @if !data.visibility.agencies().is_empty() {
                    dt { (page.t("Chỉ các cơ quan", "Only these agencies")) }
                    dd { (data.visibility.agencies().join(", ")) }
                }
            }
            @if !data.attachments.is_empty() || may_edit {
                h2 #attachments { (page.t("Tệp đính kèm", "Attachments")) }
                ul.attachments { @for (position, file) in data.attachments.iter().enumerate() {
                    li {
                        a href={ "/library/items/" (item.id) "/files/" (position) } { (file.name) }
                        " (" (file.media_type) ")"
                        @if file.text_status == dongbo_library::TextStatus::NoText { " — " em { (page.t("không đọc được chữ", "no text")) } }
                        @if may_edit {
                            form.inline method="post" action={ "/library/items/" (item.id) "/files/" (position) "/delete" } {
                                (page.csrf_field())
                                button type="submit" { (page.t("Gỡ tệp", "Remove")) }
                            }
                        }
                    }
                } }
                @if may_edit {
                    form #attach-form method="post" enctype="multipart/form-data"
                        action={ "/library/items/" (item.id) "/files?csrf=" (page.caller.as_ref().and_then(|c| c.csrf.clone()).unwrap_or_default()) } {
                        @if let Some(message) = file_error {
                            p.error #attach-file-error role="alert" { (message) }
                        }
                        label for="attach-file" { (page.t("Thêm tệp (PDF, DOCX, HTML, TXT, Markdown, ảnh): chữ trong tệp được đưa vào nội dung để tìm kiếm",
                            "Add a file (PDF, DOCX, HTML, TXT, Markdown, image): its text joins the item's text for search")) }
                        input #attach-file type="file" name="file" required
                            aria-invalid=[file_error.map(|_| "true")]
                            aria-describedby=[file_error.map(|_| "attach-file-error")];
                        button type="submit" { (page.t("Tải lên", "Upload")) }
                    }
                }
            }
            @if !data.body.is_empty() {
                h2 { (page.t("Nội dung", "Text")) }
                div.item-body { @for paragraph in data.body.split("\n\n").take(400) { p { (paragraph) } } }
            }
            @if !writable.is_empty() {
                form.cite #cite-form method="post" action={ "/library/items/" (item.id) "/cite" } {
                    (page.csrf_field())
                    label for="assignment" { (page.t("Trích dẫn làm minh chứng cho báo cáo của nhiệm vụ", "Cite as evidence in the report on")) }
                    select #assignment name="assignment" {
                        @for a in &writable {
                            option value=(a.id) {
                                (a.program_number.as_deref().unwrap_or("")) " · " (a.task_code) " — " (a.task_title) " (" (a.agency_code) ")"
                            }
                        }
                    }
                    button type="submit" { (page.t("Trích dẫn vào báo cáo", "Cite in a report")) }
                }
            }
            @if !citations.is_empty() {
                h2 { (page.t("Được trích dẫn trong báo cáo", "Cited in reports")) }
                ul #citations { @for c in &citations {
                    li {
                        a href={ "/assignments/" (c.assignment_id) "/report?period=" (c.period) } {
                            (page.t("Nhiệm vụ", "Task")) " " (c.task_code) " — " (c.task_title)
                        }
                        " · " (c.agency_code) " · " (c.period)
                    }
                } }
            }
            h2 { (page.t("Nguồn", "Provenance")) }
            ul.provenance { @for p in &item.provenances {
                li {
                    (p.system)
                    @if let Some(id) = &p.external_id { " · " code { (id) } }
                    @if let Some(name) = &p.file_name { " · " (name) }
                    @if let Some(url) = &p.url { " · " a href=(url) rel="noopener noreferrer" { (url) } }
                    " · " (p.received_at.format("%d/%m/%Y %H:%M UTC"))
                }
            } }
        },
    ))
}
