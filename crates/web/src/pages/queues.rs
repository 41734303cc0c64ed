//! Việc cần xử lý — the parts of the caller's queues (`dongbo_programs::queues`) the home page
//! (`super::home`) places in its sections: agency reports waiting for their review, oldest
//! first with the deadline; returned reports being fixed; per program the agencies whose
//! report is not in, the change requests to decide and when the next synthesis is due; an
//! administrator's tools. Every line links to where it is handled.

use dongbo_programs::queues::{Queued, Queues};
use maud::{Markup, html};

use super::Page;

fn report_line(page: &Page, q: &Queued) -> Markup {
    let r = &q.report;
    html! {
        li data-agency-report=(r.id) {
            a href={ "/programs/" (r.program_id) "/agencies/" (r.agency_code) "/report?period=" (r.period) } {
                (q.agency_name) " — " (page.doc_number(q.program_number.as_deref().unwrap_or(""))) " — " (r.period)
            }
            " (" (r.tasks) " " (page.t("nhiệm vụ", "tasks")) ")"
            @if let Some(deadline) = q.deadline { " · " (page.t("hạn", "due")) " " (page.date(deadline)) }
        }
    }
}

/// The agency reports waiting for the caller's review (`ol#to-review`) and the task reports
/// sent on their own (`ol#tasks-to-review`); nothing when there are none.
pub fn to_review(page: &Page, queues: &Queues) -> Markup {
    html! {
        @if !queues.to_review.is_empty() {
            h3 { (page.t("Báo cáo của cơ quan", "Agency reports")) " (" (queues.to_review.len()) ")" }
            ol.queue #to-review { @for q in &queues.to_review { (report_line(page, q)) } }
        }
        @if !queues.tasks_to_review.is_empty() {
            h3 { (page.t("Báo cáo nhiệm vụ gửi riêng", "Task reports sent on their own")) " (" (queues.tasks_to_review.len()) ")" }
            ol.queue #tasks-to-review {
                @for r in queues.tasks_to_review.iter().take(50) {
                    li data-report=(r.id) {
                        a href={ "/assignments/" (r.assignment_id) "/report?period=" (r.period) } {
                            (r.agency_code) " — " (page.t("nhiệm vụ", "task")) " " (r.task_code) " — " (r.period)
                        }
                    }
                }
            }
            @if queues.tasks_to_review.len() > 50 {
                p.muted { (page.t("… và", "… and")) " " (queues.tasks_to_review.len() - 50) " " (page.t("báo cáo khác.", "more.")) }
            }
        }
    }
}

/// The caller's agencies' reports returned and being fixed (`ol#returned-reports`).
pub fn returned(page: &Page, queues: &Queues) -> Markup {
    html! {
        @if !queues.returned.is_empty() {
            h3 { (page.t("Báo cáo của cơ quan", "Agency reports")) " (" (queues.returned.len()) ")" }
            ol.queue #returned-reports { @for q in &queues.returned { (report_line(page, q)) } }
        }
    }
}

/// Per program the caller coordinates: agencies not sent, change requests, the next synthesis;
/// and an administrator's tools.
pub fn watch(page: &Page, queues: &Queues) -> Markup {
    html! {
        @if !queues.programs.is_empty() {
            section #watch {
                h2 { (page.t("Theo dõi chương trình", "Programs you coordinate")) }
                ul #program-watch {
                    @for w in &queues.programs {
                        li data-program=(w.program_id) {
                            strong { (page.doc_number(w.program_number.as_deref().unwrap_or("—"))) } ": "
                            a.not-sent href={ "/programs/" (w.program_id) "/completeness?incomplete=1" } {
                                (w.agencies_not_sent) " " (page.t("cơ quan chưa gửi đủ báo cáo", "agencies have not sent their whole report"))
                                @if w.late { " (" (page.t("đã quá hạn", "past the deadline")) ")" }
                            }
                            " · "
                            a.changes href={ "/programs/" (w.program_id) "/changes" } {
                                (w.changes_pending) " " (page.t("đề xuất điều chỉnh chờ quyết định", "change requests to decide"))
                            }
                            " · "
                            a.synthesis href={ "/programs/" (w.program_id) "/synthesis" } {
                                (page.t("Báo cáo tổng hợp kỳ", "Synthesis for")) " " (w.period) " "
                                (page.t("sau hạn", "after the deadline")) " " (page.date(w.deadline))
                            }
                        }
                    }
                }
            }
        }
        @if queues.admin {
            p #admin-links {
                (page.t("Quản trị: ", "Administration: "))
                a href="/admin/audit" { (page.t("Nhật ký kiểm toán", "Audit log")) }
            }
        }
    }
}
