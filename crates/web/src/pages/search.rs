//! The search page: tasks whose title, code or agencies match, ignoring diacritics.

use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use crate::AppState;
use crate::error::Result;

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn page(
    page: Page,
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<Markup> {
    let hits =
        dongbo_programs::views::search(&state.programs.db, &state.programs.directory, &query.q)
            .await?;
    let title = page.t("Tìm nhiệm vụ", "Search tasks");
    Ok(page.render(
        title,
        html! {
            h1 { (title) }
            form.search-big action="/search" method="get" {
                input type="search" name="q" value=(query.q) autofocus;
                button type="submit" { (page.t("Tìm", "Search")) }
            }
            @if !query.q.trim().is_empty() {
                p.muted { (hits.len()) " " (page.t("kết quả", "results")) }
                ul.hits { @for hit in &hits {
                    li {
                        a href={ "/programs/" (hit.task.program_id) "/tasks/" (hit.task.code) } {
                            strong { (page.doc_number(hit.program_number.as_deref().unwrap_or(""))) " · " (hit.task.code) } " " (hit.task.title)
                        }
                    }
                } }
            }
        },
    ))
}
