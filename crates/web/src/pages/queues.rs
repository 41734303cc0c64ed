//! Việc cần xử lý — the caller's queues on their home page (`dongbo_programs::queues`): agency
//! reports waiting for their review, oldest first with the deadline; returned reports being
//! fixed; per program the agencies whose report is not in, the change requests to decide and
//! when the next synthesis is due; an administrator's tools. Every count links to its list.

use dongbo_programs::queues::{Queued, Queues};
use maud::{Markup, html};

use super::Page;

fn report_line(page: &Page, q: &Queued) -> Markup {
    let r = &q.report;
    html! {
        li data-agency-report=(r.id) {
            a href={ "/programs/" (r.program_id) "/agencies/" (r.agency_code) "/report?period=" (r.period) } {
                (q.agency_name) " — " (q.program_number.as_deref().unwrap_or("")) " — " (r.period)
            }
            " (" (r.tasks) " " (page.t("nhiệm vụ", "tasks")) ")"
            @if let Some(deadline) = q.deadline { " · " (page.t("hạn", "due")) " " (page.lang.short_date(deadline)) }
        }
    }
}

pub fn section(page: &Page, queues: &Queues) -> Markup {
    html! {
        section #queues {
            h2 { (page.t("Việc cần xử lý", "Waiting for you")) }
            @if !queues.to_review.is_empty() {
                h3 #to-review { (page.t("Báo cáo chờ duyệt", "Reports waiting for your review")) " (" (queues.to_review.len()) ")" }
                ol.queue { @for q in &queues.to_review { (report_line(page, q)) } }
            }
            @if !queues.tasks_to_review.is_empty() {
                h3 #tasks-to-review { (page.t("Báo cáo nhiệm vụ gửi riêng chờ duyệt", "Task reports sent on their own, waiting for review")) " (" (queues.tasks_to_review.len()) ")" }
                ol.queue {
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
            @if !queues.returned.is_empty() {
                h3 #returned-reports { (page.t("Báo cáo bị trả lại, đang sửa", "Returned reports being fixed")) " (" (queues.returned.len()) ")" }
                ol.queue { @for q in &queues.returned { (report_line(page, q)) } }
            }
            @if !queues.programs.is_empty() {
                h3 { (page.t("Theo dõi chương trình", "Programs you coordinate")) }
                ul #program-watch {
                    @for w in &queues.programs {
                        li data-program=(w.program_id) {
                            strong { (w.program_number.as_deref().unwrap_or("—")) } ": "
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
                                (page.t("sau hạn", "after the deadline")) " " (page.lang.short_date(w.deadline))
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
}
