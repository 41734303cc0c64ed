//! Nhật ký — the audit log for administrators: browse with filters, check the hash chain,
//! export as CSV.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use dongbo_domain::access::{Action, ROOT_AGENCY};
use dongbo_programs::accounts::{self, AuditFilter};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use crate::AppState;
use crate::error::{Error, Result};

const PAGE_SIZE: i64 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    entity: Option<String>,
    page: Option<i64>,
}

fn some(text: &Option<String>) -> Option<String> {
    text.as_ref()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Only those who may view the audit log of the whole system.
fn check(page: &Page, state: &AppState) -> Result<()> {
    let caller = page.caller()?;
    if caller.can(Action::ViewAudit, ROOT_AGENCY, &state.programs.directory) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

pub async fn browse(
    page: Page,
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> Result<Markup> {
    check(&page, &state)?;
    let filter = AuditFilter {
        actor: some(&q.actor),
        action: some(&q.action),
        entity: some(&q.entity),
        entity_id: None,
    };
    let number = q.page.unwrap_or(0).max(0);
    let records =
        accounts::audit_entries(&state.programs, &filter, PAGE_SIZE, number * PAGE_SIZE).await?;
    let verified = accounts::verify_audit(&state.programs).await?;
    let names = accounts::display_names(&state.programs).await?;
    let title = page.t("Nhật ký thay đổi", "Audit log");
    Ok(page.render(
        title,
        html! {
            h1 { (title) }
            @if verified.is_intact() {
                p #chain.ok { (page.t("Chuỗi băm toàn vẹn", "The hash chain is intact")) " — " (verified.entries) " " (page.t("mục", "entries")) }
            } @else {
                p #chain.error role="alert" {
                    (page.t("Chuỗi băm bị phá vỡ tại mục", "The hash chain is broken at entry")) " "
                    (verified.first_broken.map(|s| s.to_string()).unwrap_or_default())
                }
            }
            form.filters method="get" {
                label { (page.t("Người thực hiện", "Actor")) " " input type="text" name="actor" value=(q.actor.clone().unwrap_or_default()); }
                label { (page.t("Hành động", "Action")) " " input type="text" name="action" value=(q.action.clone().unwrap_or_default()) placeholder="report.accept"; }
                label { (page.t("Đối tượng", "Entity")) " " input type="text" name="entity" value=(q.entity.clone().unwrap_or_default()) placeholder="report"; }
                button type="submit" { (page.t("Lọc", "Filter")) }
                " " a #export href="/admin/audit.csv" { (page.t("Xuất CSV", "Export CSV")) }
            }
            table.audit {
                thead { tr {
                    th { "#" } th { (page.t("Thời điểm", "When")) } th { (page.t("Người thực hiện", "Who")) }
                    th { (page.t("Việc", "What")) } th { (page.t("Trên", "On")) }
                    th { (page.t("Thay đổi", "Change")) }
                } }
                tbody {
                    @for r in &records {
                        tr data-seq=(r.seq) {
                            td data-label="#" { (r.seq) }
                            td.when data-label=(page.t("Thời điểm", "When")) { (super::moment(&page, &r.at)) }
                            td data-label=(page.t("Người thực hiện", "Who")) {
                                @match names.get(&r.actor) {
                                    Some(name) => { (name) br; small.muted { (r.actor) } }
                                    None => { (actor_words(&page, &r.actor)) }
                                }
                            }
                            td data-label=(page.t("Việc", "What")) { (action_words(&page, &r.action)) br; small.muted { code { (r.action) } } }
                            td data-label=(page.t("Trên", "On")) { (entity_words(&page, &r.entity)) " " (r.entity_id) }
                            td data-label=(page.t("Thay đổi", "Change")) { (changes(r.before_json.as_deref(), r.after_json.as_deref())) }
                        }
                    }
                }
            }
            @if records.len() as i64 == PAGE_SIZE {
                p { a href={ "/admin/audit?page=" (number + 1) } { (page.t("Trang sau", "Next page")) } }
            }
        },
    ))
}

pub async fn export(page: Page, State(state): State<AppState>) -> Result<Response> {
    check(&page, &state)?;
    let mut out = Vec::new();
    accounts::export_audit(&state.programs, &mut out).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"dongbo-audit.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// The system's own actors in words.
fn actor_words(page: &Page, actor: &str) -> String {
    match actor {
        "system" => page.t("Hệ thống", "The system").to_owned(),
        "cli" => page
            .t("Dòng lệnh (máy chủ)", "Command line (server)")
            .to_owned(),
        other => other.to_owned(),
    }
}

/// What a record is, in words: `report` → "Báo cáo".
fn entity_words(page: &Page, entity: &str) -> String {
    let (vi, en) = match entity {
        "user" => ("Người dùng", "User"),
        "session" => ("Phiên đăng nhập", "Session"),
        "api_token" => ("Mã API", "API token"),
        "report" => ("Báo cáo", "Report"),
        "agency_report" => ("Báo cáo của cơ quan", "Agency report"),
        "plan" => ("Kế hoạch", "Plan"),
        "assignment" => ("Phân công", "Assignment"),
        "change_request" => ("Đề xuất điều chỉnh", "Change request"),
        "program" => ("Chương trình", "Program"),
        "task" => ("Nhiệm vụ", "Task"),
        "indicator" | "indicator_value" => ("Chỉ tiêu", "Indicator"),
        "synthesis" => ("Báo cáo tổng hợp", "Synthesis report"),
        "template" => ("Mẫu văn bản", "Template"),
        "agency" => ("Cơ quan", "Agency"),
        "unit" => ("Đơn vị", "Unit"),
        "library_item" => ("Tài liệu thư viện", "Library item"),
        "library_source" => ("Nguồn thư viện", "Library source"),
        "library_topic" => ("Chủ đề thư viện", "Library topic"),
        "library_duplicate" => ("Tài liệu trùng lặp", "Near-duplicate"),
        "library_followed" => ("Theo dõi thư viện", "Library sync"),
        "sign_in" => ("Cách đăng nhập", "Signing in"),
        _ => return entity.replace('_', " "),
    };
    page.t(vi, en).to_owned()
}

/// What was done, in words: `report.submit` → "Báo cáo — gửi".
fn action_words(page: &Page, action: &str) -> String {
    let (entity, verb) = action.split_once('.').unwrap_or((action, ""));
    let (vi, en) = match verb {
        "create" => ("tạo", "created"),
        "update" => ("sửa", "changed"),
        "delete" => ("xoá", "deleted"),
        "save" => ("lưu bản nháp", "draft saved"),
        "submit" => ("gửi", "sent"),
        "return" => ("trả lại", "returned"),
        "accept" => ("chấp nhận", "accepted"),
        "reopen" => ("mở lại", "reopened"),
        "approve" => ("chấp thuận", "approved"),
        "reject" => ("không chấp thuận", "rejected"),
        "withdraw" => ("rút lại", "withdrawn"),
        "propose" => ("đề xuất", "proposed"),
        "login" => ("đăng nhập", "signed in"),
        "login_failed" => ("đăng nhập sai", "failed sign-in"),
        "locked" => ("bị khoá đăng nhập", "locked"),
        "unlock" => ("mở khoá đăng nhập", "unlocked"),
        "logout_everywhere" => ("đăng xuất khỏi mọi nơi", "logged out everywhere"),
        "end" | "expire" => ("kết thúc", "ended"),
        "disable" => ("vô hiệu hoá", "disabled"),
        "enable" => ("kích hoạt", "enabled"),
        "password" => ("đặt mật khẩu", "password set"),
        "grant" => ("giao vai trò", "role given"),
        "revoke" => ("thu hồi", "revoked"),
        "email_setting" => ("đặt địa chỉ nhận thư", "e-mail setting"),
        "sso_update" => (
            "cập nhật từ hệ thống tài khoản cơ quan",
            "updated from the organisation's accounts",
        ),
        "focal_points" => ("đổi đầu mối", "focal points changed"),
        "settings" => ("đổi thiết lập", "settings changed"),
        "generate" => ("lập", "generated"),
        "topics" => ("gắn chủ đề", "topics set"),
        "merge" => ("hợp nhất", "merged"),
        "dismiss" => ("bỏ qua", "dismissed"),
        "poll" | "poll_now" => ("lấy tin", "polled"),
        "visibility" => ("đổi phạm vi", "visibility changed"),
        "record" => ("ghi giá trị", "value recorded"),
        "override_progress" => ("điều chỉnh tiến độ", "progress overridden"),
        "regime_set" => ("đặt chế độ báo cáo", "reporting regime set"),
        "regime_remove" => ("bỏ chế độ báo cáo", "reporting regime removed"),
        "reimport_override" => ("nhập lại, giữ giá trị của tệp", "re-import overrode"),
        _ => return action.to_owned(),
    };
    format!("{} — {}", entity_words(page, entity), page.t(vi, en))
}

/// The change a record made, readable: the fields that changed as "field: before → after",
/// or the fields written or removed.
fn changes(before: Option<&str>, after: Option<&str>) -> Markup {
    let parse =
        |text: Option<&str>| text.and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok());
    let (before, after) = (parse(before), parse(after));
    let show = |value: &serde_json::Value| match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".to_owned(),
        other => other.to_string(),
    };
    let mut lines: Vec<(String, String)> = Vec::new();
    match (&before, &after) {
        (Some(serde_json::Value::Object(b)), Some(serde_json::Value::Object(a))) => {
            for (key, value) in a {
                match b.get(key) {
                    Some(old) if old == value => {}
                    Some(old) => {
                        lines.push((key.clone(), format!("{} → {}", show(old), show(value))))
                    }
                    None => lines.push((key.clone(), format!("→ {}", show(value)))),
                }
            }
            for (key, old) in b {
                if !a.contains_key(key) {
                    lines.push((key.clone(), format!("{} → —", show(old))));
                }
            }
        }
        (None, Some(serde_json::Value::Object(a))) => {
            lines.extend(a.iter().map(|(k, v)| (k.clone(), show(v))));
        }
        (Some(serde_json::Value::Object(b)), None) => {
            lines.extend(
                b.iter()
                    .map(|(k, v)| (k.clone(), format!("{} → —", show(v)))),
            );
        }
        (b, a) => {
            if let Some(b) = b {
                lines.push(("".to_owned(), format!("{} →", show(b))));
            }
            if let Some(a) = a {
                lines.push(("".to_owned(), show(a)));
            }
        }
    }
    html! {
        @if !lines.is_empty() {
            ul.changes {
                @for (key, text) in &lines {
                    li { @if !key.is_empty() { span.muted { (key) ": " } } (text) }
                }
            }
        }
    }
}
