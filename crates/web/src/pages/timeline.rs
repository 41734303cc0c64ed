//! Tiến độ theo thời gian — a program's timeline (the Gantt view users of project tools expect):
//! one row per group (its span) and per task (a bar from its time frame's start to its end,
//! coloured by its state as the dashboard colours it), on an axis of years and quarters, with
//! today's line. Drawn here as SVG (no script); the geometry and the states come from
//! `dongbo_programs::timeline`. It scales to the page's width (`viewBox`) and prints landscape.

use axum::extract::{Path, State};
use dongbo_domain::WorkState;
use dongbo_programs::timeline::{Axis, Span, Timeline, shorten};
use maud::{Markup, html};

use super::Page;
use super::dashboard::{colour, label};
use super::programs::group_heading;
use crate::AppState;
use crate::error::Result;

/// The drawing's width in its own units (it is scaled to the page).
const WIDTH: f64 = 1200.0;
/// Where the axis begins: the labels are left of it.
const LEFT: f64 = 420.0;
const RIGHT: f64 = WIDTH - 12.0;
/// The height of the axis's heading (years, quarters) and of a row.
const HEADER: f64 = 40.0;
const ROW: f64 = 20.0;
/// How many characters of a name fit beside the bars (the whole name is in the tooltip).
const LABEL_CHARS: usize = 62;

pub async fn page(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Markup> {
    let timeline =
        dongbo_programs::timeline::for_program(&state.programs, id, state.today()).await?;
    let heading = format!(
        "{} — {}",
        page.t("Tiến độ theo thời gian", "Timeline"),
        timeline.number.as_deref().unwrap_or(&timeline.title)
    );
    Ok(page.render(
        &heading,
        html! {
            section.timeline-page {
                p.kicker { a href={ "/programs/" (id) } { (timeline.number.as_deref().unwrap_or(&timeline.title)) } }
                h1 { (page.t("Tiến độ theo thời gian", "Timeline")) }
                p.title { (timeline.title) }
                p.muted { (page.t("Tính đến", "As of")) " " (page.lang.date(timeline.today)) }
                (legend(&page))
                figure.timeline {
                    (svg(&page, &timeline))
                }
            }
        },
    ))
}

/// The states' colours, and the mark of open-ended work.
fn legend(page: &Page) -> Markup {
    html! {
        ul.legend {
            @for s in WorkState::ALL {
                li data-state=(s.as_str()) { span.swatch data-state=(s.as_str()) {} (label(page, s)) }
            }
            li { span.swatch.open-ended {} (page.t("Thường xuyên, hằng năm: không có ngày kết thúc", "Ongoing or yearly: no end date")) }
            li { span.swatch.today-mark {} (page.t("Hôm nay", "Today")) }
        }
    }
}

/// The drawing: one SVG per group, each with the same axis and today's line, so that a long
/// program prints across pages a group at a time (a drawing is never cut by a page break).
fn svg(page: &Page, timeline: &Timeline) -> Markup {
    let axis = timeline.axis(LEFT, RIGHT);
    let today = axis.x(timeline.today);
    let description = page.t(
        "Biểu đồ tiến độ: nhóm nhiệm vụ và các nhiệm vụ trên trục thời gian theo thời gian thực hiện, màu theo tình trạng.",
        "Timeline: a task group and its tasks on a time axis from their time frames, coloured by state.",
    );
    html! {
        @for group in &timeline.groups {
            @let height = HEADER + ROW * (1 + group.tasks.len()) as f64 + 4.0;
            svg.timeline xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (WIDTH) " " (fmt(height)) }
                role="img" aria-label=(description) data-axis-start=(axis.start) data-axis-end=(axis.end)
                font-family="sans-serif" font-size="11" {
                (ticks(&axis, height))
                (group_row(&axis, group, HEADER))
                @for (i, task) in group.tasks.iter().enumerate() {
                    (task_row(page, &axis, task, HEADER + ROW * (i + 1) as f64))
                }
                line.today x1=(fmt(today)) x2=(fmt(today)) y1="14" y2=(fmt(height))
                    stroke="#c53030" stroke-width="2" stroke-dasharray="5 3" data-date=(timeline.today) {
                    title { (page.t("Hôm nay", "Today")) " " (page.lang.short_date(timeline.today)) }
                }
                text x=(fmt(today + 3.0)) y="11" fill="#c53030" font-size="10" { (page.t("Hôm nay", "Today")) }
            }
        }
    }
}

/// A number as SVG wants it: one decimal at most.
fn fmt(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

/// The years (labelled, with a full-height line) and the quarters (lighter, labelled when
/// there is room).
fn ticks(axis: &Axis, height: f64) -> Markup {
    let years = axis.years();
    let year_width = (axis.right - axis.left) / years.len().max(1) as f64;
    html! {
        g.axis {
            @for (year, x) in &years {
                line x1=(fmt(*x)) x2=(fmt(*x)) y1="16" y2=(fmt(height)) stroke="#9aa5b1" stroke-width="1" {}
                text x=(fmt(x + year_width / 2.0)) y="24" text-anchor="middle" font-weight="bold" { (year) }
            }
            line x1=(fmt(axis.right)) x2=(fmt(axis.right)) y1="16" y2=(fmt(height)) stroke="#9aa5b1" stroke-width="1" {}
            @for (_, x) in axis.quarters(8) {
                line x1=(fmt(x)) x2=(fmt(x)) y1="28" y2=(fmt(height)) stroke="#e2e8f0" stroke-width="1" {}
            }
            @if year_width >= 120.0 {
                @for (_, x) in &years {
                    @for q in 0..4u32 {
                        text x=(fmt(x + year_width * (f64::from(q) + 0.5) / 4.0)) y="37" text-anchor="middle" font-size="9" fill="#4a5568" { "Q" (q + 1) }
                    }
                }
            }
            line x1="0" x2=(WIDTH) y1=(fmt(HEADER - 0.5)) y2=(fmt(HEADER - 0.5)) stroke="#9aa5b1" {}
        }
    }
}

/// The x where a span's bar ends: the end of its last day, or the axis's end when open.
fn bar_end(axis: &Axis, span: &Span) -> f64 {
    span.end.map_or(axis.right, |end| axis.x_after(end))
}

fn group_row(axis: &Axis, group: &dongbo_programs::timeline::GroupRow, y: f64) -> Markup {
    let heading = group_heading(&group.code, &group.title);
    html! {
        g.group data-group=(group.code) {
            rect x="0" y=(fmt(y)) width=(WIDTH) height=(ROW) fill="#f1f4f8" {}
            text x="4" y=(fmt(y + 14.0)) font-weight="bold" { (shorten(&heading, LABEL_CHARS)) title { (heading) } }
            @if let Some(span) = group.span {
                @let (x, end) = (axis.x(span.start), bar_end(axis, &span));
                rect.group-span x=(fmt(x)) y=(fmt(y + 7.0)) width=(fmt((end - x).max(1.0))) height="6" fill="#2d3748"
                    data-start=(span.start) data-end=[span.end] {
                    title { (heading) }
                }
            }
        }
    }
}

fn task_row(page: &Page, axis: &Axis, task: &dongbo_programs::timeline::TaskRow, y: f64) -> Markup {
    let tooltip = format!(
        "{} {} — {} ({})",
        task.code,
        task.title,
        label(page, task.state),
        task.time_frame
    );
    html! {
        g.task data-task=(task.code) data-state=(task.state.as_str()) {
            text x="14" y=(fmt(y + 14.0)) {
                (shorten(&format!("{} {}", task.code, task.title), LABEL_CHARS))
                title { (tooltip) }
            }
            @match task.span {
                Some(span) => {
                    @let (x, end) = (axis.x(span.start), bar_end(axis, &span));
                    @let width = (end - x).max(2.0);
                    rect.bar x=(fmt(x)) y=(fmt(y + 4.0)) width=(fmt(width)) height="12" rx="2"
                        fill=(colour(task.state)) data-start=(span.start) data-end=[span.end]
                        data-open=[span.end.is_none().then_some("true")] {
                        title { (tooltip) }
                    }
                    @if span.end.is_none() {
                        // No end: a dashed outline over a lighter fill, and an arrow at the axis's end.
                        rect.open x=(fmt(x)) y=(fmt(y + 4.0)) width=(fmt(width)) height="12" rx="2"
                            fill="#ffffff" fill-opacity="0.45" stroke="#1a202c" stroke-width="1" stroke-dasharray="4 2" {}
                        path d={ "M" (fmt(axis.right - 7.0)) " " (fmt(y + 2.0)) " L" (fmt(axis.right)) " " (fmt(y + 10.0)) " L" (fmt(axis.right - 7.0)) " " (fmt(y + 18.0)) " Z" } fill="#1a202c" {}
                    }
                },
                None => {
                    text.no-span x=(fmt(axis.left + 4.0)) y=(fmt(y + 14.0)) fill="#4a5568" font-style="italic" {
                        (page.t("Chưa rõ thời gian: ", "No dates: ")) (shorten(&task.time_frame, 40))
                    }
                },
            }
        }
    }
}
