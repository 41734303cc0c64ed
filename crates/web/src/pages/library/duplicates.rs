//! `/library/duplicates`: the near-duplicates proposed to a librarian or an administrator (the
//! pairs whose two items they may edit), side by side with the first passage where their texts
//! differ, and the two decisions: merge (keep one) or dismiss. Every check is
//! `dongbo_library`'s.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_library::Item;
use dongbo_library::duplicates::ProposalView;
use maud::{Markup, html};

use super::super::Page;
use crate::AppState;
use crate::error::Result;

pub async fn list(page: Page, State(state): State<AppState>) -> Result<Markup> {
    let caller = page.caller()?;
    let proposals = state.library.duplicate_proposals(&caller.who).await?;
    let title = page.t("Tài liệu gần trùng lặp", "Near-duplicate items");
    Ok(page.render(
        title,
        html! {
            p.breadcrumb { a href="/library" { (page.t("Thư viện", "Library")) } }
            h1 { (title) }
            p { (page.t(
                "Các cặp tài liệu có nội dung gần giống nhau. Hợp nhất: giữ một tài liệu, chuyển nguồn, chủ đề, quốc gia và các báo cáo trích dẫn sang tài liệu đó, xóa tài liệu kia. Bỏ qua: cặp này không được đề xuất lại.",
                "Pairs of items whose texts are nearly the same. Merge: keep one item, move the other's sources, topics, countries and citing reports to it, and remove the other. Dismiss: this pair is never proposed again.")) }
            @if proposals.is_empty() {
                p #no-duplicates { (page.t("Không có đề xuất nào.", "No proposals.")) }
            }
            @for view in &proposals {
                (proposal(&page, &state, view))
            }
        },
    ))
}

fn proposal(page: &Page, state: &AppState, view: &ProposalView) -> Markup {
    let id = view.proposal.id;
    html! {
        section.duplicate id={ "proposal-" (id) } {
            h2 { (page.t("Đề xuất", "Proposal")) " " (id) " · "
                (page.t("giống khoảng", "about")) " " (view.proposal.similarity) " %"
                (page.t("", " alike")) }
            div.side-by-side {
                (side(page, state, &view.a))
                (side(page, state, &view.b))
            }
            @if let Some((a, b)) = &view.difference {
                div.difference {
                    h3 { (page.t("Đoạn khác nhau đầu tiên", "First differing passage")) }
                    p { strong { (view.a.id) ": " } (a) }
                    p { strong { (view.b.id) ": " } (b) }
                }
            }
            div.actions {
                @for item in [&view.a, &view.b] {
                    form method="post" action={ "/library/duplicates/" (id) "/merge" } {
                        (page.csrf_field())
                        input type="hidden" name="keep" value=(item.id);
                        button type="submit" { (page.t("Hợp nhất, giữ", "Merge, keep")) " " (item.id) }
                    }
                }
                form method="post" action={ "/library/duplicates/" (id) "/dismiss" } {
                    (page.csrf_field())
                    button type="submit" { (page.t("Bỏ qua", "Dismiss")) }
                }
            }
        }
    }
}

fn side(page: &Page, state: &AppState, item: &Item) -> Markup {
    let data = &item.data;
    let owner = data.owner.as_deref().map(|code| {
        state
            .programs
            .directory
            .agency(code)
            .map_or(code, |a| page.t(&a.name_vi, &a.name_en))
    });
    html! {
        div.item {
            h3 { a href={ "/library/items/" (item.id) } { (item.id) ". " (data.title) } }
            dl {
                dt { (page.t("Cơ quan sở hữu", "Owner agency")) }
                dd { (owner.unwrap_or("—")) }
                dt { (page.t("Ngày ban hành", "Published")) }
                dd { (data.published_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_else(|| "—".to_owned())) }
                dt { (page.t("Cập nhật", "Updated")) }
                dd { (item.updated_at.format("%d/%m/%Y %H:%M UTC")) }
                dt { (page.t("Nguồn", "Sources")) }
                dd { (item.provenances.len()) }
            }
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct Keep {
    keep: i64,
}

pub async fn merge(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(form): Form<Keep>,
) -> Result<Response> {
    let caller = page.caller()?;
    state
        .library
        .merge_duplicates(&caller.who, id, form.keep)
        .await?;
    Ok(Redirect::to(&format!("/library/items/{}", form.keep)).into_response())
}

pub async fn dismiss(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response> {
    let caller = page.caller()?;
    state.library.dismiss_duplicates(&caller.who, id).await?;
    Ok(Redirect::to("/library/duplicates").into_response())
}
