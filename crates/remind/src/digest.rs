//! The words of reminders, in Vietnamese: one in-app notification per reminder, and one e-mail
//! per agency and run listing every reminder (a digest, not a flood). Plain functions.

use chrono::{Datelike, NaiveDate};
use dongbo_store::notifications::{NewNotification, Reminder};

use crate::plan::{
    CHANGE_DECIDED, DUE_SOON, MANUAL, OVERDUE, REPORT_DUE_SOON, REPORT_OVERDUE, RETURNED,
};

/// A digest e-mail's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub subject: String,
    pub body: String,
}

/// "ngày 15 tháng 4 năm 2024", as Vietnamese documents write dates.
pub fn date_vi(date: NaiveDate) -> String {
    format!(
        "ngày {} tháng {} năm {}",
        date.day(),
        date.month(),
        date.year()
    )
}

/// The page of a reminder's task in the application; for a periodic report, the agency's work
/// (`/my`), where its reports are written.
pub fn link(reminder: &Reminder) -> Option<String> {
    if matches!(reminder.kind.as_str(), REPORT_DUE_SOON | REPORT_OVERDUE) {
        return Some("/my".to_owned());
    }
    let program = reminder.program_id?;
    let task = reminder.task_code.as_deref()?;
    Some(format!("/programs/{program}/tasks/{task}"))
}

fn task_label(reminder: &Reminder) -> String {
    match (&reminder.task_code, &reminder.task_title) {
        (Some(code), Some(title)) => format!("Nhiệm vụ {code}: {title}"),
        (Some(code), None) => format!("Nhiệm vụ {code}"),
        (None, _) => "Nhiệm vụ".to_owned(),
    }
}

/// "còn 5 ngày", "đến hạn hôm nay", "quá hạn 3 ngày".
fn days_phrase(due: NaiveDate, today: NaiveDate) -> String {
    let days = (due - today).num_days();
    match days {
        0 => "đến hạn hôm nay".to_owned(),
        d if d > 0 => format!("còn {d} ngày"),
        d => format!("quá hạn {} ngày", -d),
    }
}

/// The in-app notification of one reminder.
pub fn notification(reminder: &Reminder, today: NaiveDate) -> NewNotification {
    let code = reminder.task_code.clone().unwrap_or_default();
    let (title, body) = match reminder.kind.as_str() {
        DUE_SOON | OVERDUE => {
            let due = reminder.due_on.map_or_else(String::new, |due| {
                format!(
                    "Hạn hoàn thành: {} ({}).",
                    date_vi(due),
                    days_phrase(due, today)
                )
            });
            let title = if reminder.kind == OVERDUE {
                format!("Nhiệm vụ {code} đã quá hạn")
            } else {
                format!("Nhiệm vụ {code} sắp đến hạn")
            };
            (title, format!("{}\n{due}", task_label(reminder)))
        }
        REPORT_DUE_SOON | REPORT_OVERDUE => {
            let when = reminder
                .due_on
                .map_or_else(String::new, |due| format!(" ({})", days_phrase(due, today)));
            let title = if reminder.kind == REPORT_OVERDUE {
                "Báo cáo định kỳ đã quá hạn"
            } else {
                "Báo cáo định kỳ sắp đến hạn"
            };
            (
                title.to_owned(),
                format!("{}{when}", reminder.message.as_deref().unwrap_or("")),
            )
        }
        RETURNED => (
            format!("Báo cáo nhiệm vụ {code} bị trả lại"),
            format!(
                "{}\nÝ kiến của người xem xét: {}",
                task_label(reminder),
                reminder.message.as_deref().unwrap_or("")
            ),
        ),
        CHANGE_DECIDED => (
            format!("Đề xuất điều chỉnh nhiệm vụ {code} đã được quyết định"),
            format!(
                "{}\n{}",
                task_label(reminder),
                reminder.message.as_deref().unwrap_or("")
            ),
        ),
        _ => (
            "Nhắc việc của cơ quan điều phối".to_owned(),
            reminder.message.clone().unwrap_or_default(),
        ),
    };
    NewNotification {
        agency_code: reminder.agency_code.clone(),
        user_id: None,
        kind: reminder.kind.clone(),
        title,
        body,
        link: link(reminder),
        dedupe_key: reminder.dedupe_key.clone(),
    }
}

/// The digest e-mail of an agency's reminders. `agency_name` is its Vietnamese name;
/// `base_url`, when given, makes the task links absolute.
pub fn digest(
    agency_name: &str,
    reminders: &[Reminder],
    today: NaiveDate,
    base_url: Option<&str>,
) -> Digest {
    let of =
        |kind: &str| -> Vec<&Reminder> { reminders.iter().filter(|r| r.kind == kind).collect() };
    let (due_soon, overdue, returned, manual) =
        (of(DUE_SOON), of(OVERDUE), of(RETURNED), of(MANUAL));
    let (reports_due, reports_overdue) = (of(REPORT_DUE_SOON), of(REPORT_OVERDUE));
    let decided = of(CHANGE_DECIDED);

    let mut counts = Vec::new();
    if !due_soon.is_empty() {
        counts.push(format!("{} nhiệm vụ sắp đến hạn", due_soon.len()));
    }
    if !overdue.is_empty() {
        counts.push(format!("{} nhiệm vụ quá hạn", overdue.len()));
    }
    if !returned.is_empty() {
        counts.push(format!("{} báo cáo bị trả lại", returned.len()));
    }
    if !reports_due.is_empty() {
        counts.push(format!("{} báo cáo định kỳ sắp đến hạn", reports_due.len()));
    }
    if !reports_overdue.is_empty() {
        counts.push(format!("{} báo cáo định kỳ quá hạn", reports_overdue.len()));
    }
    if !decided.is_empty() {
        counts.push(format!(
            "{} đề xuất điều chỉnh đã được quyết định",
            decided.len()
        ));
    }
    if !manual.is_empty() {
        counts.push(format!("{} nhắc việc của cơ quan điều phối", manual.len()));
    }
    let subject = format!("[Đồng Bộ] Nhắc việc: {}", counts.join(", "));

    let mut body = format!(
        "Kính gửi: {agency_name}\n\nHệ thống Đồng Bộ xin nhắc quý cơ quan các việc sau \
         (tính đến {}):\n",
        date_vi(today)
    );
    let link_line = |reminder: &Reminder| -> String {
        link(reminder)
            .map(|path| {
                format!(
                    "\n   Xem: {}{path}",
                    base_url.unwrap_or("").trim_end_matches('/')
                )
            })
            .unwrap_or_default()
    };
    let mut section = |heading: &str, items: &[&Reminder], line: &dyn Fn(&Reminder) -> String| {
        if items.is_empty() {
            return;
        }
        body.push_str(&format!("\n{heading} ({})\n", items.len()));
        for (i, reminder) in items.iter().enumerate() {
            body.push_str(&format!(
                "{}. {}{}\n",
                i + 1,
                line(reminder),
                link_line(reminder)
            ));
        }
    };
    let with_due = |reminder: &Reminder| -> String {
        let due = reminder.due_on.map_or_else(String::new, |due| {
            format!(
                "\n   Hạn hoàn thành: {} ({}).",
                date_vi(due),
                days_phrase(due, today)
            )
        });
        format!("{}{due}", task_label(reminder))
    };
    section("NHIỆM VỤ QUÁ HẠN", &overdue, &with_due);
    section("NHIỆM VỤ SẮP ĐẾN HẠN", &due_soon, &with_due);
    let report_line = |reminder: &Reminder| -> String {
        let when = reminder
            .due_on
            .map_or_else(String::new, |due| format!(" ({})", days_phrase(due, today)));
        format!("{}{when}", reminder.message.as_deref().unwrap_or(""))
    };
    section("BÁO CÁO ĐỊNH KỲ QUÁ HẠN", &reports_overdue, &report_line);
    section("BÁO CÁO ĐỊNH KỲ SẮP ĐẾN HẠN", &reports_due, &report_line);
    section("BÁO CÁO BỊ TRẢ LẠI", &returned, &|reminder| {
        format!(
            "{}\n   Ý kiến của người xem xét: {}",
            task_label(reminder),
            reminder.message.as_deref().unwrap_or("")
        )
    });
    section(
        "ĐỀ XUẤT ĐIỀU CHỈNH ĐÃ ĐƯỢC QUYẾT ĐỊNH",
        &decided,
        &|reminder| {
            format!(
                "{}\n   {}",
                task_label(reminder),
                reminder.message.as_deref().unwrap_or("")
            )
        },
    );
    section(
        "NHẮC VIỆC CỦA CƠ QUAN ĐIỀU PHỐI",
        &manual,
        &|reminder| reminder.message.clone().unwrap_or_default(),
    );
    body.push_str(
        "\nĐề nghị quý cơ quan khẩn trương thực hiện và cập nhật tiến độ trên hệ thống.\n\
         Thư này được gửi tự động từ hệ thống Đồng Bộ; xin không trả lời thư này.\n",
    );
    Digest { subject, body }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn reminder(kind: &str, code: &str, due: Option<NaiveDate>, message: Option<&str>) -> Reminder {
        Reminder {
            id: 1,
            dedupe_key: format!("{kind}:{code}"),
            agency_code: "BNG".to_owned(),
            kind: kind.to_owned(),
            program_id: Some(1),
            task_code: Some(code.to_owned()),
            task_title: Some("Tuyên truyền về Việt Nam".to_owned()),
            due_on: due,
            message: message.map(str::to_owned),
            created_at: Utc.with_ymd_and_hms(2025, 12, 1, 0, 0, 0).unwrap(),
            digest_job_id: Some(1),
            user_id: None,
        }
    }

    #[test]
    fn periodic_reports_have_their_own_sections_counts_and_link() {
        let due = NaiveDate::from_ymd_opt(2025, 12, 15);
        let past = NaiveDate::from_ymd_opt(2024, 12, 16);
        let today = NaiveDate::from_ymd_opt(2025, 12, 10).unwrap();
        let mut soon = reminder(
            REPORT_DUE_SOON,
            "",
            due,
            Some(
                "Báo cáo kỳ Năm 2025 hạn 15/12/2025: còn thiếu báo cáo của 2 nhiệm vụ (1.2, 2.1).",
            ),
        );
        soon.task_code = None;
        let mut late = reminder(
            REPORT_OVERDUE,
            "",
            past,
            Some("Báo cáo kỳ Năm 2024 hạn 16/12/2024: còn thiếu báo cáo của 1 nhiệm vụ (1.2)."),
        );
        late.task_code = None;
        let mail = digest("Bộ Ngoại giao", &[soon.clone(), late], today, None);
        assert_eq!(
            mail.subject,
            "[Đồng Bộ] Nhắc việc: 1 báo cáo định kỳ sắp đến hạn, 1 báo cáo định kỳ quá hạn"
        );
        assert!(
            mail.body.contains(
                "BÁO CÁO ĐỊNH KỲ SẮP ĐẾN HẠN (1)\n1. Báo cáo kỳ Năm 2025 hạn 15/12/2025: còn thiếu \
             báo cáo của 2 nhiệm vụ (1.2, 2.1). (còn 5 ngày)\n   Xem: /my"
            ),
            "{}",
            mail.body
        );
        assert!(mail.body.contains("BÁO CÁO ĐỊNH KỲ QUÁ HẠN (1)"));
        let notice = notification(&soon, today);
        assert_eq!(notice.title, "Báo cáo định kỳ sắp đến hạn");
        assert_eq!(notice.link.as_deref(), Some("/my"));
    }

    #[test]
    fn a_digest_counts_each_kind_in_its_subject_and_lists_every_task() {
        let due = NaiveDate::from_ymd_opt(2025, 12, 31);
        let past = NaiveDate::from_ymd_opt(2024, 12, 31);
        let today = NaiveDate::from_ymd_opt(2025, 12, 26).unwrap();
        let all = [
            reminder(DUE_SOON, "1.1", due, None),
            reminder(DUE_SOON, "1.2", due, None),
            reminder(DUE_SOON, "1.3", due, None),
            reminder(OVERDUE, "2.1", past, None),
        ];
        let digest = digest(
            "Bộ Ngoại giao",
            &all,
            today,
            Some("https://dongbo.example/"),
        );
        assert_eq!(
            digest.subject,
            "[Đồng Bộ] Nhắc việc: 3 nhiệm vụ sắp đến hạn, 1 nhiệm vụ quá hạn"
        );
        assert!(digest.body.starts_with("Kính gửi: Bộ Ngoại giao"));
        for code in ["1.1", "1.2", "1.3", "2.1"] {
            assert!(
                digest.body.contains(&format!("Nhiệm vụ {code}: ")),
                "{code}"
            );
        }
        assert!(
            digest
                .body
                .contains("ngày 31 tháng 12 năm 2025 (còn 5 ngày)")
        );
        assert!(digest.body.contains("quá hạn 360 ngày"));
        assert!(
            digest
                .body
                .contains("Xem: https://dongbo.example/programs/1/tasks/2.1")
        );
    }

    #[test]
    fn a_returned_report_and_a_message_are_worded_as_such() {
        let today = NaiveDate::from_ymd_opt(2025, 12, 26).unwrap();
        let all = [
            reminder(RETURNED, "3.21", None, Some("Bổ sung số liệu")),
            reminder(
                MANUAL,
                "",
                None,
                Some("Đề nghị gửi báo cáo trước ngày 30/12"),
            ),
        ];
        let digest = digest("Bộ Ngoại giao", &all, today, None);
        assert_eq!(
            digest.subject,
            "[Đồng Bộ] Nhắc việc: 1 báo cáo bị trả lại, 1 nhắc việc của cơ quan điều phối"
        );
        assert!(
            digest
                .body
                .contains("Ý kiến của người xem xét: Bổ sung số liệu")
        );
        let notice = notification(&all[0], today);
        assert_eq!(notice.title, "Báo cáo nhiệm vụ 3.21 bị trả lại");
        assert_eq!(notice.link.as_deref(), Some("/programs/1/tasks/3.21"));
    }
}
