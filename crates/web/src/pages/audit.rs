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
                    th { "#" } th { (page.t("Thời điểm", "When")) } th { (page.t("Người thực hiện", "Actor")) }
                    th { (page.t("Hành động", "Action")) } th { (page.t("Đối tượng", "Entity")) }
                    th { (page.t("Trước", "Before")) } th { (page.t("Sau", "After")) }
                } }
                tbody {
                    @for r in &records {
                        tr data-seq=(r.seq) {
                            td { (r.seq) } td { (r.at) } td { (r.actor) } td { (r.action) }
                            td { (r.entity) " " (r.entity_id) }
                            td { code { (r.before_json.as_deref().unwrap_or("")) } }
                            td { code { (r.after_json.as_deref().unwrap_or("")) } }
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
