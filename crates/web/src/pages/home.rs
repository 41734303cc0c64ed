//! Trang chủ — how things stand. Signed in: the caller's week (`dongbo_programs::home`): work
//! due within seven days, work overdue, reports waiting for their review, returned reports to
//! fix, notices — each line a link to where it is handled, an empty section saying so.
//! Anonymous: each action program's progress, with a bar per group drawn as the dashboard
//! draws it (`super::dashboard::bar`), and the day of its last accepted report.

use dongbo_domain::WorkState;
use dongbo_programs::home::{Home, ProgramProgress, WorkItem, percent};
use dongbo_programs::timeline::shorten;
use maud::{Markup, html};

use super::Page;
use super::dashboard::{bar, label};
use super::programs::group_heading;
use super::queues;

/// How much of a task's name a line shows (the whole name is its link's tooltip).
const TITLE_CHARS: usize = 90;

/// How many lines of work a section lists: the page is one screen, `/my` has them all.
const SHOWN_WORK: usize = 10;

/// The lines of work due or overdue (the first [`SHOWN_WORK`], then a link to the rest on
/// `/my`), or `empty` when there are none.
fn work_list(page: &Page, id: &str, items: &[WorkItem], empty: &str) -> Markup {
    html! {
        @if items.is_empty() {
            p.muted.empty id=(id) { (empty) }
        } @else {
            ul.work-items id=(id) {
                @for w in items.iter().take(SHOWN_WORK) {
                    li data-task=(w.task_code) data-assignment=(w.assignment_id) data-state=(w.state.as_str()) {
                        a href={ "/assignments/" (w.assignment_id) "/report" } title=(w.task_title) {
                            (page.doc_number(w.program_number.as_deref().unwrap_or(""))) " — " (w.task_code) ": " (shorten(&w.task_title, TITLE_CHARS))
                        }
                        @if w.state != WorkState::OverdueNotDone {
                            " · " span.state data-state=(w.state.as_str()) { (label(page, w.state)) }
                        }
                        @if let Some(due) = w.due { " · " (page.t("hạn", "due")) " " (page.date(due)) }
                        " · " small.muted { (w.agency_code) }
                    }
                }
            }
            @if items.len() > SHOWN_WORK {
                p.more { a href="/my" { (page.t("… và", "… and")) " " (items.len() - SHOWN_WORK) " " (page.t("việc khác trong Công việc của tôi", "more in My work")) } }
            }
        }
    }
}

/// The signed-in home: the caller's week, then what they coordinate.
pub fn signed_in(page: &Page, home: &Home) -> Markup {
    let q = &home.queues;
    let waiting = q.to_review.len() + q.tasks_to_review.len();
    let to_fix = q.returned.len() + home.returned.len();
    html! {
        div.home-board {
            section #due-this-week {
                h2 { (page.t("Đến hạn tuần này", "Due this week")) " (" (home.due_this_week.len()) ")" }
                (work_list(page, "due-this-week-list", &home.due_this_week,
                    page.t("Không có việc đến hạn trong 7 ngày tới.", "Nothing due in the next 7 days.")))
            }
            section #overdue {
                h2 { (page.t("Quá hạn", "Overdue")) " (" (home.overdue.len()) ")" }
                (work_list(page, "overdue-list", &home.overdue,
                    page.t("Không có việc quá hạn.", "Nothing overdue.")))
            }
            section #awaiting-review {
                h2 { (page.t("Chờ tôi duyệt", "Waiting for my review")) " (" (waiting) ")" }
                @if waiting == 0 { p.muted.empty { (page.t("Không có báo cáo chờ duyệt.", "No report waiting for your review.")) } }
                (queues::to_review(page, q))
            }
            section #to-fix {
                h2 { (page.t("Bị trả lại cần sửa", "Returned to fix")) " (" (to_fix) ")" }
                @if to_fix == 0 { p.muted.empty { (page.t("Không có báo cáo bị trả lại.", "No returned report.")) } }
                (queues::returned(page, q))
                @if !home.returned.is_empty() {
                    h3 { (page.t("Báo cáo nhiệm vụ", "Task reports")) " (" (home.returned.len()) ")" }
                    ul #returned-task-reports {
                        @for r in &home.returned {
                            li data-report=(r.id) data-task=(r.task_code) {
                                a.fix-report href={ "/assignments/" (r.assignment_id) "/report?period=" (r.period.code()) } title=(r.task_title) {
                                    (page.doc_number(r.program_number.as_deref().unwrap_or(""))) " — " (r.task_code) ": " (shorten(&r.task_title, TITLE_CHARS))
                                }
                                @if let Some(comment) = &r.comment {
                                    br; small { (page.t("Ý kiến của người duyệt: ", "Reviewer's comment: ")) span.review-comment { (comment) } }
                                }
                            }
                        }
                    }
                }
            }
            section #home-notices {
                h2 { (page.t("Thông báo", "Notices")) " (" (home.notice_count) ")" }
                @if home.notices.is_empty() {
                    p.muted.empty { (page.t("Không có thông báo mới.", "No new notices.")) }
                } @else {
                    ul #notice-list {
                        @for n in &home.notices {
                            li.notice data-kind=(n.notification.kind) {
                                @match &n.notification.link {
                                    Some(link) => a href=(link) { (n.notification.title) },
                                    None => a href={ "/my#work-" (n.agency_code) } { (n.notification.title) },
                                }
                                " " small.muted { (n.agency_code) }
                            }
                        }
                    }
                    @if home.notice_count > home.notices.len() {
                        p { a href="/my" { (page.t("Xem tất cả thông báo", "All notices")) } }
                    }
                }
            }
        }
        (queues::watch(page, q))
    }
}

/// One share of a program's tasks: its percent, with the count behind it.
fn share(page: &Page, state: Option<WorkState>, count: u64, total: u64) -> Markup {
    let name = match state {
        Some(s) => label(page, s),
        None => page.t(
            "Khác (chưa bắt đầu, đang thực hiện)",
            "Other (not started, in progress)",
        ),
    };
    html! {
        li.share data-state=(state.map_or("other", WorkState::as_str)) data-count=(count) {
            @if let Some(s) = state { span.swatch data-state=(s.as_str()) {} }
            (name) ": " strong.percent { (percent(count, total)) "%" }
        }
    }
}

/// Each action program with its progress: what anyone may see.
pub fn public(page: &Page, programs: &[ProgramProgress]) -> Markup {
    html! {
        section #progress {
            h2 { (page.t("Tình hình thực hiện", "How the programs stand")) }
            @for p in programs {
                @let total = p.tasks.total();
                @let counted = [WorkState::DoneOnTime, WorkState::DoneLate, WorkState::OverdueNotDone];
                @let other = total - counted.iter().map(|s| p.tasks.get(*s)).sum::<u64>();
                article.program-progress data-program=(p.program_id) data-tasks=(total) {
                    h3 { a href={ "/programs/" (p.program_id) } { (p.number.as_deref().unwrap_or("—")) } " " span.title { (p.title) } }
                    ul.legend.shares {
                        @for s in counted { (share(page, Some(s), p.tasks.get(s), total)) }
                        (share(page, None, other, total))
                    }
                    (bar(page, &p.tasks, 600.0))
                    p.last-accepted {
                        @match p.last_accepted {
                            Some(day) => { (page.t("Báo cáo được chấp nhận gần nhất: ", "Last accepted report: ")) time datetime=(day) { (page.lang.date(day)) } },
                            None => { (page.t("Chưa có báo cáo nào được chấp nhận.", "No report accepted yet.")) },
                        }
                    }
                    table.group-progress {
                        tbody {
                            @for g in &p.groups {
                                tr data-group=(g.code) {
                                    td { (group_heading(&g.code, &g.title)) }
                                    td { (bar(page, &g.counts, 300.0)) }
                                    td.num { (g.counts.percent_done().unwrap_or(0)) "%" }
                                }
                            }
                        }
                    }
                    p { a href={ "/programs/" (p.program_id) "/timeline" } { (page.t("Tiến độ theo thời gian", "Timeline")) } }
                }
            }
            @if programs.is_empty() { p.muted { (page.t("Chưa có chương trình nào.", "No programs yet.")) } }
        }
    }
}
