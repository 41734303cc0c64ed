//! The topic vocabulary (chủ đề) of the library: every topic as a tree for anyone, and for an
//! administrator of the Government the form that adds a topic or renames one (by its code).
//! A topic's code never changes: items and the search index name topics by it.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_domain::library::Topic;
use dongbo_library::StoredTopic;
use maud::{Markup, html};

use super::super::Page;
use super::super::form::{self as refused, Refusal};
use crate::AppState;
use crate::error::{Error, Result};

/// The form's fields as sent.
type Fields = Vec<(String, String)>;

/// `GET /library/topics`.
pub async fn list(page: Page, State(state): State<AppState>) -> Result<Markup> {
    show(&page, &state, None).await
}

/// `POST /library/topics`: adds a topic, or renames (or moves) the one with that code.
pub async fn save(
    page: Page,
    State(state): State<AppState>,
    Form(fields): Form<Fields>,
) -> Result<Response> {
    let caller = page.caller()?.clone();
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let topic = Topic {
        code: value("code").to_owned(),
        parent: Some(value("parent").to_owned()).filter(|p| !p.trim().is_empty()),
        name_vi: value("name_vi").to_owned(),
        name_en: value("name_en").to_owned(),
    };
    match state.library.save_topic(&caller.who, &topic).await {
        Ok(()) => Ok(Redirect::to("/library/topics#topics").into_response()),
        Err(error) => {
            let refusal = Refusal::of("topic-form", fields, Error::from(error))?;
            let markup = show(&page, &state, Some(&refusal)).await?;
            Ok(Refusal::answer(markup))
        }
    }
}

async fn show(page: &Page, state: &AppState, refusal: Option<&Refusal>) -> Result<Markup> {
    let topics = state.library.topics().await?;
    let may_edit = page
        .caller
        .as_ref()
        .is_some_and(|c| state.library.may_edit_topics(&c.who));
    Ok(page.render(
        page.t("Chủ đề của thư viện", "Library topics"),
        html! {
            p.breadcrumb { a href="/library" { (page.t("Thư viện", "Library")) } }
            h1 { (page.t("Chủ đề của thư viện", "Library topics")) }
            (tree(page, &topics, None))
            @if may_edit {
                (form(page, &topics, refusal))
            }
        },
    ))
}

/// The topics under `parent` (the top ones for `None`), each with its own below it.
fn tree(page: &Page, topics: &[StoredTopic], parent: Option<&str>) -> Markup {
    let children: Vec<&StoredTopic> = topics
        .iter()
        .filter(|t| t.topic.parent.as_deref() == parent)
        .collect();
    html! {
        @if !children.is_empty() {
            ul id=[parent.is_none().then_some("topics")] {
                @for t in children {
                    li data-code=(t.topic.code) {
                        a href={ "/library?topic=" (crate::error::urlencode(&t.topic.code)) } {
                            (page.t(&t.topic.name_vi, &t.topic.name_en))
                        }
                        " " code { (t.topic.code) }
                        (tree(page, topics, Some(&t.topic.code)))
                    }
                }
            }
        }
    }
}

fn form(page: &Page, topics: &[StoredTopic], refusal: Option<&Refusal>) -> Markup {
    let kept = Refusal::of_form(refusal, "topic-form");
    let field = |name: &str, label: &str, hint: &str| {
        html! {
            label for={ "topic-" (name) } { (label) }
            @if !hint.is_empty() { small.hint { (hint) } }
            input id={ "topic-" (name) } name=(name) type="text"
                value=(refused::typed(kept, name, ""))
                aria-invalid=[refused::invalid(kept, name)]
                aria-describedby=[refused::described_by(kept, name)];
            (refused::error(kept, name))
        }
    };
    let parent = refused::typed(kept, "parent", "");
    html! {
        h2 { (page.t("Thêm hoặc đổi tên chủ đề", "Add or rename a topic")) }
        (refused::summary(page, kept))
        form #topic-form method="post" action="/library/topics" {
            (page.csrf_field())
            (field("code", page.t("Mã", "Code"),
                page.t("chữ thường không dấu, số, - và . (ví dụ doi-moi.chuyen-doi-so); mã đã có thì đổi tên chủ đề đó",
                    "lower-case letters, digits, - and . (e.g. doi-moi.chuyen-doi-so); an existing code renames that topic")))
            label for="topic-parent" { (page.t("Thuộc chủ đề", "Under")) }
            select #topic-parent name="parent" aria-invalid=[refused::invalid(kept, "parent")] {
                option value="" { (page.t("(chủ đề gốc)", "(a top topic)")) }
                @for t in topics {
                    option value=(t.topic.code) selected[t.topic.code == parent] {
                        (page.t(&t.topic.name_vi, &t.topic.name_en)) " (" (t.topic.code) ")"
                    }
                }
            }
            (refused::error(kept, "parent"))
            (field("name_vi", page.t("Tên tiếng Việt", "Vietnamese name"), ""))
            (field("name_en", page.t("Tên tiếng Anh", "English name"), ""))
            button type="submit" { (page.t("Lưu chủ đề", "Save the topic")) }
        }
    }
}
