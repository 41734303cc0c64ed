//! Server-rendered pages, Vietnamese by default with an English switch. Every page is built
//! from the same view models as the API (`crate::load`).

mod account;
mod agencies;
mod agency_reports;
mod audit;
mod changes;
pub(crate) mod chart;
mod completeness;
pub(crate) mod dashboard;
mod evaluation;
mod form;
mod home;
mod indicators;
mod library;
mod programs;
mod queues;
mod reimport;
mod reports;
mod search;
mod sign_in;
mod synthesis;
mod timeline;
mod users;
mod work;

use axum::Router;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use std::sync::Arc;

use crate::AppState;
use crate::auth::{Caller, MaybeCaller};
use crate::error::Error;
use crate::i18n::Lang;
use dongbo_programs::views::{AgencyCell, AgencyRef, TimeFrameView};

/// A file to download: its media type, and the name to save it under (ASCII, so that every
/// browser keeps it).
pub fn attachment(
    media: dongbo_programs::reports::MediaType,
    name: &str,
    bytes: Vec<u8>,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, media.mime().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A stored file to download under the name it was given (UTF-8, RFC 5987), never sniffed
/// by the browser into another type than the one it was stored as.
pub fn stored_file(media_type: &str, name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename*=UTF-8''{}",
                    crate::error::urlencode(name)
                ),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// A stored moment (RFC 3339, UTC) in Vietnam's time, as the page's language writes it
/// ("23:17 ngày 06/12/2026"); the stored text itself if it is not one.
pub(crate) fn moment(page: &Page, at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| page.lang.moment(t.to_utc()))
        .unwrap_or_else(|_| at.to_owned())
}

/// Who did something: their full name with the username small beside it, from `names`
/// (username → full name); the username alone when the account is not known.
pub(crate) fn person(names: &std::collections::HashMap<String, String>, username: &str) -> Markup {
    html! {
        @match names.get(username) {
            Some(name) => { span.person-name { (name) } " " small.muted { "(" (username) ")" } }
            None => { (username) }
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(programs::list))
        .route("/programs/{id}", get(programs::detail))
        .route("/programs/{id}/timeline", get(timeline::page))
        .route("/programs/{id}/tasks/{code}", get(programs::task))
        .route(
            "/programs/{id}/tasks/{code}/topics",
            post(programs::set_topics),
        )
        .route("/programs/{id}/indicators", get(indicators::list))
        .route("/programs/{id}/indicators/{code}", get(indicators::detail))
        .route(
            "/programs/{id}/indicators/{code}/values",
            post(indicators::record_value),
        )
        .route(
            "/programs/{id}/indicators/{code}/direction",
            post(indicators::confirm_direction),
        )
        .route("/agencies", get(agencies::list))
        .route("/agencies/{code}", get(agencies::detail))
        .route(
            "/agencies/{code}/focal-points",
            post(agencies::set_focal_points),
        )
        .route("/search", get(search::page))
        .route("/library", get(library::search))
        .route("/library/new", get(library::new_form))
        .route(
            "/library/topics",
            get(library::topics).post(library::save_topic),
        )
        .route("/library/items", post(library::create))
        .route(
            "/library/items/{id}",
            get(library::item).post(library::update),
        )
        .route("/library/items/{id}/edit", get(library::edit_form))
        .route("/library/items/{id}/delete", post(library::delete))
        .route("/library/items/{id}/cite", post(library::cite))
        .route(
            "/library/items/{id}/files",
            post(library::attach).layer(axum::extract::DefaultBodyLimit::max(
                crate::limits::MAX_UPLOAD_BYTES,
            )),
        )
        .route(
            "/library/items/{id}/files/{position}",
            get(library::download),
        )
        .route(
            "/library/items/{id}/files/{position}/delete",
            post(library::detach),
        )
        .route(
            "/library/sources",
            get(library::sources::list).post(library::sources::add),
        )
        .route(
            "/library/sources/{id}/enable",
            post(library::sources::enable),
        )
        .route("/library/sources/{id}/poll", post(library::sources::poll))
        .route(
            "/library/sources/{id}/visibility",
            post(library::sources::visibility),
        )
        .route("/library/duplicates", get(library::duplicates::list))
        .route(
            "/library/duplicates/{id}/merge",
            post(library::duplicates::merge),
        )
        .route(
            "/library/duplicates/{id}/dismiss",
            post(library::duplicates::dismiss),
        )
        .route("/login", get(account::login_form).post(account::login))
        .route("/login/oidc", get(account::oidc_start))
        .route("/login/oidc/callback", get(account::oidc_callback))
        .route("/logout", post(account::logout))
        .route(
            "/account/logout-everywhere",
            post(account::log_out_everywhere),
        )
        .route(
            "/account/password",
            get(account::password_form).post(account::change_password),
        )
        .route("/account", get(account::account_page))
        .route("/account/email", post(account::set_email))
        .route("/my", get(work::my_work))
        .route("/agencies/{code}/plans", post(work::create_plan))
        .route("/agencies/{code}/units", post(work::create_unit))
        .route("/plans/{id}/tasks", post(work::add_task))
        .route("/plans/{id}/tasks/{code}/units", post(work::assign_unit))
        .route(
            "/assignments/{id}/report",
            get(reports::report_page).post(reports::write_report).layer(
                axum::extract::DefaultBodyLimit::max(crate::limits::MAX_UPLOAD_BYTES),
            ),
        )
        .route("/reports/{id}/review", post(reports::review))
        .route(
            "/programs/{id}/agencies/{code}/report",
            get(agency_reports::page).post(agency_reports::write),
        )
        .route(
            "/programs/{id}/agencies/{code}/report.xlsx",
            get(agency_reports::template).post(agency_reports::upload),
        )
        .route("/agency-reports/{id}/review", post(agency_reports::review))
        .route("/open-sets/{id}", post(work::choose_open_set))
        .route(
            "/assignments/{id}/progress",
            post(reports::override_progress),
        )
        .route(
            "/programs/{id}/dashboard",
            get(dashboard::program_dashboard),
        )
        .route("/programs/{id}/completeness", get(completeness::page))
        .route("/programs/{id}/regimes", post(completeness::set_regime))
        .route(
            "/programs/{id}/regimes/remove",
            post(completeness::remove_regime),
        )
        .route("/files/{sha256}", get(reports::file))
        .route("/programs/{id}/reminders", post(dashboard::send_reminder))
        .route(
            "/programs/{id}/reminders/sent",
            get(dashboard::reminders_sent_page),
        )
        .route(
            "/programs/{id}/synthesis",
            get(synthesis::list).post(synthesis::generate),
        )
        .route(
            "/programs/{id}/synthesis/{report}/{version}/check",
            get(synthesis::check),
        )
        .route(
            "/programs/{id}/synthesis/{report}/{version}/{file}",
            get(synthesis::download),
        )
        .route("/programs/{id}/evaluation", get(evaluation::page))
        .route(
            "/programs/{id}/evaluation/export/{format}",
            get(evaluation::export),
        )
        .route(
            "/admin/templates/synthesis",
            get(synthesis::template_form).post(synthesis::save_template),
        )
        .route("/admin/users", get(users::list).post(users::create))
        .route("/admin/sign-in", get(sign_in::show).post(sign_in::save))
        .route("/admin/users/template.csv", get(users::template))
        .route(
            "/admin/users/bulk",
            post(users::bulk).layer(axum::extract::DefaultBodyLimit::max(
                crate::limits::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/admin/users/{username}", get(users::detail))
        .route("/admin/users/{username}/grant", post(users::grant))
        .route("/admin/users/{username}/revoke", post(users::revoke))
        .route(
            "/admin/users/{username}/disabled",
            post(users::set_disabled),
        )
        .route(
            "/admin/users/{username}/password",
            post(users::reset_password),
        )
        .route("/admin/users/{username}/unlock", post(users::unlock))
        .route(
            "/admin/users/{username}/logout-everywhere",
            post(users::log_out_everywhere),
        )
        .route(
            "/admin/users/{username}/sessions/end",
            post(users::end_session),
        )
        .route(
            "/admin/users/{username}/tokens/{id}/revoke",
            post(users::revoke_token),
        )
        .route("/admin/audit", get(audit::browse))
        .route("/admin/audit.csv", get(audit::export))
        .route(
            "/programs/{id}/changes",
            get(changes::list).post(changes::propose_add),
        )
        .route(
            "/programs/{id}/tasks/{code}/changes",
            post(changes::propose_for_task),
        )
        .route(
            "/programs/{id}/import",
            get(reimport::form)
                .post(reimport::submit)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::limits::MAX_UPLOAD_BYTES,
                )),
        )
        .route(
            "/programs/{id}/changes/{request}/decision",
            post(changes::decide),
        )
        .route(
            "/programs/{id}/changes/{request}/withdraw",
            post(changes::withdraw),
        )
}

/// The page's language and path, taken from `?lang=`, the `lang` cookie and the URI, and who
/// is asking.
#[derive(Debug, Clone)]
pub struct Page {
    pub lang: Lang,
    pub path: String,
    /// The query string without `lang`, kept by the language switch (a search stays a search).
    pub other_query: String,
    pub caller: Option<Arc<Caller>>,
}

#[derive(Debug, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = Query::<LangQuery>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|q| q.0.lang);
        let other_query = parts
            .uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
            .collect::<Vec<_>>()
            .join("&");
        Ok(Page {
            lang: crate::i18n::lang_of(query.as_deref(), &parts.headers),
            path: parts.uri.path().to_owned(),
            other_query,
            caller: parts
                .extensions
                .get::<MaybeCaller>()
                .and_then(|c| c.0.clone()),
        })
    }
}

impl Page {
    /// The page of `path` for someone not (yet) known, in `lang`: for answers made before the
    /// caller is read (an error page of a refused request).
    pub fn anonymous(lang: Lang, path: String) -> Page {
        Page {
            lang,
            path,
            other_query: String::new(),
            caller: None,
        }
    }

    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(vi, en)
    }

    /// This page as shown at `path` with `query` (without `lang`): a refused form's answer is
    /// the page the form is on, and its language switch must lead there, not to where the
    /// form was sent.
    pub fn showing(&self, path: String, query: String) -> Page {
        Page {
            path,
            other_query: query,
            ..self.clone()
        }
    }

    /// The logged-in caller, or the login page's address to come back here.
    pub fn caller(&self) -> Result<&Arc<Caller>, Error> {
        self.caller.as_ref().ok_or_else(|| Error::LoginRequired {
            next: self.path.clone(),
        })
    }

    /// The logged-in caller acting through `state`'s operations, on the server's day.
    pub fn actor<'a>(&'a self, state: &'a AppState) -> Result<dongbo_programs::Actor<'a>, Error> {
        Ok(dongbo_programs::Actor {
            programs: &state.programs,
            caller: &self.caller()?.who,
            lang: self.lang,
            clock: state.clock,
        })
    }

    /// The hidden CSRF field every form that changes something carries.
    pub fn csrf_field(&self) -> Markup {
        let token = self
            .caller
            .as_ref()
            .and_then(|c| c.csrf.clone())
            .unwrap_or_default();
        html! { input type="hidden" name="csrf" value=(token); }
    }

    /// The whole HTML document around a page's body.
    pub fn render(&self, title: &str, body: Markup) -> Markup {
        let other = match self.lang {
            Lang::Vi => ("en", "English"),
            Lang::En => ("vi", "Tiếng Việt"),
        };
        let switch_href = if self.other_query.is_empty() {
            format!("{}?lang={}", self.path, other.0)
        } else {
            format!("{}?{}&lang={}", self.path, self.other_query, other.0)
        };
        html! {
            (DOCTYPE)
            html lang=(self.lang.code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " — Đồng Bộ" }
                    link rel="stylesheet" href="/assets/style.css";
                }
                body {
                    header.site {
                        a.brand href="/" { "Đồng Bộ" }
                        nav {
                            a href="/" { (self.t("Chương trình", "Programs")) }
                            a href="/agencies" { (self.t("Cơ quan", "Agencies")) }
                            a href="/library" { (self.t("Thư viện", "Library")) }
                        }
                        form.search action="/search" method="get" role="search" {
                            input type="search" name="q" placeholder=(self.t("Tìm nhiệm vụ…", "Search tasks…"))
                                aria-label=(self.t("Tìm nhiệm vụ", "Search tasks"));
                            button type="submit" { (self.t("Tìm", "Search")) }
                        }
                        a.lang-switch id="lang-switch" href=(switch_href) hreflang=(other.0) { (other.1) }
                        @match &self.caller {
                            Some(caller) => {
                                a #my-work href="/my" { (caller.user.display_name) }
                                @if dongbo_programs::users::is_administrator(&caller.who) {
                                    a #admin-users href="/admin/users" { (self.t("Người dùng", "Users")) }
                                }
                                a #account href="/account" { (self.t("Tài khoản", "Account")) }
                                form.logout action="/logout" method="post" {
                                    (self.csrf_field())
                                    button type="submit" { (self.t("Đăng xuất", "Log out")) }
                                }
                            }
                            None => { a #login href={ "/login?next=" (crate::error::urlencode(&self.path)) } { (self.t("Đăng nhập", "Log in")) } }
                        }
                    }
                    main { (body) }
                    footer.site { (self.t("Đồng Bộ — thực hiện đồng bộ các chương trình hành động", "Đồng Bộ — carrying out action programs in unison")) }
                }
            }
        }
    }

    /// A day as the page's language writes it, marked as a date (`<time datetime>`) that never
    /// breaks across lines, however narrow its column.
    pub fn date(&self, day: chrono::NaiveDate) -> Markup {
        html! { time datetime=(day) { (self.lang.short_date(day)) } }
    }

    /// A document's number and symbol ("47/NQ-CP", "123/BC-BVHTTDL"), kept on one line: a
    /// line may break before or after it, never inside it.
    pub fn doc_number(&self, number: &str) -> Markup {
        html! { span.doc-number { (number) } }
    }

    pub fn agency_name<'a>(&self, agency: &'a AgencyRef) -> &'a str {
        self.lang.pick(&agency.name_vi, &agency.name_en)
    }

    /// A cell of agencies: each resolved agency as a link, sets by name, non-state participants
    /// with their kind ("Doanh nghiệp: Tập đoàn Viettel"), unresolved text flagged.
    pub fn agency_cell(&self, cell: &AgencyCell) -> Markup {
        html! {
            @if cell.agencies.is_empty()
                && cell.sets.is_empty()
                && cell.unresolved.is_empty()
                && cell.participants.is_empty()
            {
                span.muted { "—" }
            }
            ul.agencies {
                @for agency in &cell.agencies {
                    li {
                        a href={ "/agencies/" (agency.code) } { (self.agency_name(agency)) }
                        @if let Some(ended) = agency.ended_on {
                            " " span.ended title=(self.t("Cơ quan đã kết thúc", "Agency has ended")) {
                                "(" (self.t("đến", "until")) " " (self.date(ended))
                                @if !agency.successors.is_empty() { "; " (self.t("nay là", "now")) " " }
                                @for (i, s) in agency.successors.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    a href={ "/agencies/" (s.code) } title=(self.lang.functions(&s.functions)) {
                                        (self.lang.pick(&s.name_vi, &s.name_en))
                                    }
                                }
                                ")"
                            }
                        }
                    }
                }
                @for set in &cell.sets {
                    li.set {
                        (self.lang.pick(&set.name_vi, &set.name_en))
                        @if set.open { " " span.badge { (self.t("cần chọn", "to choose")) } }
                    }
                }
                @for participant in &cell.participants {
                    li.participant title=(self.t("Không phải cơ quan nhà nước; không được giao nhiệm vụ", "Not a state agency; given no assignment")) {
                        span.kind { (self.lang.pick(&participant.kind_vi, &participant.kind_en)) ": " }
                        (participant.text)
                    }
                }
                @for fragment in &cell.unresolved {
                    li.unresolved title=(self.t("Chưa xác định được cơ quan", "Agency not recognised")) { (fragment) " ⚠" }
                }
            }
        }
    }

    /// A time frame as the document wrote it, with what the system understood under it
    /// (unless that says the same thing again).
    pub fn time_frame(&self, tf: &TimeFrameView) -> Markup {
        let meaning = match (tf.due, tf.kind.as_str()) {
            (Some(due), _) => Some(format!(
                "{} {}",
                self.t("hạn", "due"),
                self.lang.short_date(due)
            )),
            (None, "annual" | "from_year") => Some(self.t("hằng năm", "every year").to_owned()),
            (None, "ongoing") => Some(self.t("thường xuyên", "ongoing").to_owned()),
            _ => None,
        }
        .filter(|meaning| {
            dongbo_domain::text::fold(meaning) != dongbo_domain::text::fold(&tf.text)
        });
        html! {
            span.time-frame { (tf.text) }
            @if let Some(meaning) = meaning {
                br; small.muted { (meaning) }
            } @else if tf.kind == "unparsed" {
                " " span.unresolved title=(self.t("Chưa hiểu được thời gian", "Time frame not understood")) { "⚠" }
            }
        }
    }
}
