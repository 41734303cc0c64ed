//! Báo cáo tiến độ — a progress report's workflow and values: its statuses, the steps taken on
//! it, which step each status allows and the status it leads to (with the refusals worded in
//! Vietnamese and English), the period a report covers, and the rules its evidence is kept by.
//!
//! The store keeps reports and their versions; every status it writes comes from
//! [`Status::after`] (or [`Status::of_new_report`]), so the table below is the whole workflow:
//!
//! | from \ step | save     | submit    | return   | accept   | reopen   |
//! |-------------|----------|-----------|----------|----------|----------|
//! | draft       | draft    | submitted | refused  | refused  | refused  |
//! | submitted   | refused  | refused   | returned | accepted | refused  |
//! | returned    | returned | submitted | refused  | refused  | refused  |
//! | accepted    | refused  | refused   | refused  | refused  | returned |
//!
//! A returned report stays returned while its author saves it, so that the reviewer's comment
//! stays open until it is submitted again; an accepted report is locked until reopened.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::text::{Text, clean};
use crate::{Period, PeriodError};

/// The period a report covers: a Decree 09 [`Period`] for recurring work, or `Once` for a
/// task reported once. Stored as the period's code ("2025-Q2") or "once".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ReportPeriod {
    /// A task reported once (its time frame is not recurring).
    Once,
    /// One reporting period of recurring work.
    Period(Period),
}

impl ReportPeriod {
    /// The code stored and written in URLs: "once" or the period's code.
    pub fn code(self) -> String {
        match self {
            ReportPeriod::Once => "once".to_owned(),
            ReportPeriod::Period(period) => period.code(),
        }
    }
}

impl fmt::Display for ReportPeriod {
    /// The Vietnamese label: "Báo cáo một lần" or the period's ("Quý II/2025").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportPeriod::Once => f.write_str("Báo cáo một lần"),
            ReportPeriod::Period(period) => period.fmt(f),
        }
    }
}

impl FromStr for ReportPeriod {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("once") {
            Ok(ReportPeriod::Once)
        } else {
            s.parse().map(ReportPeriod::Period)
        }
    }
}

impl TryFrom<String> for ReportPeriod {
    type Error = PeriodError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        code.parse()
    }
}

impl From<ReportPeriod> for String {
    fn from(period: ReportPeriod) -> Self {
        period.code()
    }
}

impl From<Period> for ReportPeriod {
    fn from(period: Period) -> Self {
        ReportPeriod::Period(period)
    }
}

/// Where a report is in its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Bản nháp — being written; not yet seen by a reviewer.
    Draft,
    /// Đã gửi — waiting for review.
    Submitted,
    /// Bị trả lại — sent back with a comment (or reopened); to be edited and submitted again.
    Returned,
    /// Đã chấp nhận — accepted and locked.
    Accepted,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::Submitted,
        Status::Returned,
        Status::Accepted,
    ];

    /// The name stored and written in the API: "draft", "submitted", "returned", "accepted".
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Accepted => "accepted",
        }
    }

    /// Reads a name written by [`Status::as_str`].
    pub fn parse(name: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Draft => "Bản nháp",
            Status::Submitted => "Đã gửi",
            Status::Returned => "Bị trả lại",
            Status::Accepted => "Đã chấp nhận",
        }
    }

    /// The status `step` leads to from this one, or why this status does not allow it: the
    /// workflow's whole table (see the module's documentation).
    pub fn after(self, step: Step) -> Result<Status, Refusal> {
        use Status::{Accepted, Draft, Returned, Submitted};
        let refused = |message| {
            Err(Refusal {
                status: self,
                step,
                message,
            })
        };
        // Every pair is named, without a catch-all, so that a new status or step has to be
        // placed in the table before anything compiles.
        match (self, step) {
            // Saving keeps a returned report returned: its comment stays open until submitted.
            (Draft | Returned, Step::Save) => Ok(self),
            (Draft | Returned, Step::Submit) => Ok(Submitted),
            (Submitted, Step::Return) => Ok(Returned),
            (Submitted, Step::Accept) => Ok(Accepted),
            (Accepted, Step::Reopen) => Ok(Returned),
            (Accepted, Step::Save | Step::Submit | Step::Return | Step::Accept) => {
                refused(Text::new(
                    "Báo cáo đã được chấp nhận và bị khóa; cần mở lại (kèm lý do) trước khi \
                     thay đổi",
                    "the report is accepted and locked; it must be reopened, with a reason, \
                     first",
                ))
            }
            (Submitted, Step::Submit) => refused(Text::new(
                "Báo cáo đã được gửi và đang chờ xem xét",
                "the report is already submitted and waits for review",
            )),
            (Submitted, Step::Save) => refused(Text::new(
                "Báo cáo đã gửi đang chờ xem xét, không sửa được cho đến khi bị trả lại",
                "a submitted report cannot be edited unless it is returned",
            )),
            (Draft | Submitted | Returned, Step::Reopen) => refused(Text::new(
                format!(
                    "Chỉ mở lại được báo cáo đã chấp nhận; báo cáo này đang ở trạng thái «{}»",
                    self.label_vi()
                ),
                format!(
                    "only an accepted report can be reopened; this one is {}",
                    self.as_str()
                ),
            )),
            (Draft | Returned, Step::Return | Step::Accept) => refused(Text::new(
                format!(
                    "Chỉ xem xét được báo cáo đã gửi; báo cáo này đang ở trạng thái «{}»",
                    self.label_vi()
                ),
                format!(
                    "only a submitted report can be returned or accepted; this one is {}",
                    self.as_str()
                ),
            )),
        }
    }

    /// The status a report not yet written takes from `step`. Such a report is an empty draft:
    /// saving makes it a draft, submitting submits it, and no review can come first.
    pub fn of_new_report(step: Step) -> Result<Status, Refusal> {
        Status::Draft.after(step)
    }
}

/// A step of a report's workflow: what wrote a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Lưu nháp — the author saved the content.
    Save,
    /// Gửi — the author submitted the content.
    Submit,
    /// Trả lại — a reviewer sent it back with a comment.
    Return,
    /// Chấp nhận — a reviewer accepted it.
    Accept,
    /// Mở lại — someone reopened an accepted report, with a reason.
    Reopen,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Save,
        Step::Submit,
        Step::Return,
        Step::Accept,
        Step::Reopen,
    ];

    /// What the step did, as a Vietnamese page says it in a report's history.
    pub fn label_vi(self) -> &'static str {
        match self {
            Step::Save => "Lưu bản nháp",
            Step::Submit => "Gửi duyệt",
            Step::Return => "Trả lại",
            Step::Accept => "Duyệt",
            Step::Reopen => "Mở lại",
        }
    }

    /// The same in English.
    pub fn label_en(self) -> &'static str {
        match self {
            Step::Save => "Saved as a draft",
            Step::Submit => "Submitted",
            Step::Return => "Returned",
            Step::Accept => "Accepted",
            Step::Reopen => "Reopened",
        }
    }

    /// The name stored, audited ("report.submit") and written in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Save => "save",
            Step::Submit => "submit",
            Step::Return => "return",
            Step::Accept => "accept",
            Step::Reopen => "reopen",
        }
    }

    /// Reads a name written by [`Step::as_str`].
    pub fn parse(name: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.as_str() == name)
    }

    /// What the step must be given beside the report, named for the user when it is missing:
    /// a return the reviewer's comment (what the author has to fix), a reopening its reason
    /// (the lock is only ever lifted on the record). `None` when nothing is required.
    pub fn required_note(self) -> Option<Text> {
        match self {
            Step::Return => Some(Text::new(
                "Ý kiến khi trả lại báo cáo",
                "the reviewer's comment when returning a report",
            )),
            Step::Reopen => Some(Text::new(
                "Lý do mở lại báo cáo",
                "the reason for reopening a report",
            )),
            Step::Save | Step::Submit | Step::Accept => None,
        }
    }
}

/// A status does not allow a step: accepting a draft, editing an accepted report. Asking
/// again will not help until someone moves the report on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// The status the report is in.
    pub status: Status,
    /// The step refused.
    pub step: Step,
    pub message: Text,
}

/// Content that cannot be kept as given: progress over 100%, a link that is not a web
/// address. The user corrects it and sends it again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidContent {
    pub message: Text,
}

impl InvalidContent {
    fn new(vi: impl Into<String>, en: impl Into<String>) -> InvalidContent {
        InvalidContent {
            message: Text::new(vi, en),
        }
    }
}

/// Tiến độ — a report's progress, kept only as a percent from 0 to 100.
pub fn check_progress(percent: u8) -> Result<u8, InvalidContent> {
    if percent > 100 {
        return Err(InvalidContent::new(
            format!("Tiến độ phải từ 0 đến 100%, không phải {percent}%"),
            "progress must be 0–100",
        ));
    }
    Ok(percent)
}

/// Refuses a submission without results (its `results` as stored, see [`clean`]): a reviewer
/// has nothing to judge in it. A draft may be empty, being written.
pub fn check_results(step: Step, results: &str) -> Result<(), InvalidContent> {
    if step == Step::Submit && results.is_empty() {
        return Err(InvalidContent::new(
            "Chưa nhập kết quả thực hiện: không thể gửi báo cáo trống",
            "a report cannot be submitted without results",
        ));
    }
    Ok(())
}

/// A document issued as evidence (văn bản đã ban hành): "Kế hoạch số 12/KH-UBND".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedDocument {
    /// Số, ký hiệu — "12/KH-UBND".
    pub number: String,
    pub issued_on: Option<NaiveDate>,
    /// Trích yếu — what the document is about.
    pub title: String,
}

impl IssuedDocument {
    /// The document as stored, its texts NFC and trimmed; `None` for a form's empty row
    /// (neither number, title nor date). A document is named by its number, so one without
    /// it is refused.
    pub fn normalised(&self) -> Result<Option<IssuedDocument>, InvalidContent> {
        let number = clean(&self.number);
        let title = clean(&self.title);
        if number.is_empty() && title.is_empty() && self.issued_on.is_none() {
            return Ok(None);
        }
        if number.is_empty() {
            return Err(InvalidContent::new(
                format!("Văn bản «{title}» thiếu số, ký hiệu"),
                "an issued document needs its number",
            ));
        }
        Ok(Some(IssuedDocument {
            number,
            issued_on: self.issued_on,
            title,
        }))
    }
}

/// A link given as evidence (an article, a published page). Only `http` and `https`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceLink {
    pub url: String,
    pub title: String,
}

impl EvidenceLink {
    /// The link as stored, its texts NFC and trimmed; `None` for a form's empty row (neither
    /// URL nor title). Only an `http` or `https` address with a host and no white space is
    /// kept: a link is shown to reviewers as one to follow.
    pub fn normalised(&self) -> Result<Option<EvidenceLink>, InvalidContent> {
        let url = clean(&self.url);
        let title = clean(&self.title);
        if url.is_empty() && title.is_empty() {
            return Ok(None);
        }
        let lower = url.to_ascii_lowercase();
        let has_host = ["http://", "https://"].iter().any(|scheme| {
            lower
                .strip_prefix(scheme)
                .is_some_and(|rest| !rest.is_empty())
        });
        if !has_host || url.chars().any(char::is_whitespace) {
            return Err(InvalidContent::new(
                format!("Đường dẫn «{url}» không hợp lệ: cần bắt đầu bằng http:// hoặc https://"),
                "a link must be an http or https address",
            ));
        }
        Ok(Some(EvidenceLink { url, title }))
    }
}

/// A file given as evidence, named by its SHA-256 (the name it is stored under) and shown
/// under the name the reporter gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedFile {
    /// 64 lower-case hex digits.
    pub sha256: String,
    pub name: String,
}

impl AttachedFile {
    /// The file as stored: its hash trimmed and in lower case, its name NFC and trimmed.
    /// Refused when the hash is not a SHA-256 (see [`is_sha256`]).
    pub fn normalised(&self) -> Result<AttachedFile, InvalidContent> {
        let sha256 = self.sha256.trim().to_ascii_lowercase();
        if !is_sha256(&sha256) {
            return Err(InvalidContent::new(
                format!("«{sha256}» không phải mã SHA-256 của một tệp"),
                "not a file's SHA-256",
            ));
        }
        Ok(AttachedFile {
            sha256,
            name: clean(&self.name),
        })
    }
}

/// Whether `text` is a SHA-256 as evidence files are named: 64 lower-case hex digits.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Separation of duties: the people who wrote the content a review would decide on, that is
/// the authors of the saves and submissions since the last review step (a return, an
/// acceptance or a reopening), in `history` (each version's step and author, oldest first).
/// None of them may return or accept it, whatever their roles.
pub fn authors_under_review<'a>(
    history: impl IntoIterator<Item = (Step, &'a str)>,
) -> Vec<&'a str> {
    let mut authors: Vec<&str> = Vec::new();
    for (step, author) in history {
        match step {
            Step::Save | Step::Submit => {
                if !authors.contains(&author) {
                    authors.push(author);
                }
            }
            Step::Return | Step::Accept | Step::Reopen => authors.clear(),
        }
    }
    authors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PeriodKind;

    fn refusal(status: Status, step: Step) -> Refusal {
        status
            .after(step)
            .expect_err("the table refuses this step from this status")
    }

    #[test]
    fn every_status_and_step_is_allowed_or_refused_as_the_workflow_table_says() {
        use Status::{Accepted, Draft, Returned, Submitted};
        // Rows are statuses, columns the steps in `Step::ALL` order: save, submit, return,
        // accept, reopen. `None` is a refusal.
        let table = [
            (Draft, [Some(Draft), Some(Submitted), None, None, None]),
            (
                Submitted,
                [None, None, Some(Returned), Some(Accepted), None],
            ),
            (
                Returned,
                [Some(Returned), Some(Submitted), None, None, None],
            ),
            (Accepted, [None, None, None, None, Some(Returned)]),
        ];
        assert_eq!(
            table.map(|(status, _)| status),
            Status::ALL,
            "every status has a row"
        );
        for (status, row) in table {
            for (step, expected) in Step::ALL.into_iter().zip(row) {
                let found = status.after(step);
                assert_eq!(
                    found.as_ref().ok().copied(),
                    expected,
                    "{} then {}: {found:?}",
                    status.as_str(),
                    step.as_str()
                );
                if let Err(refusal) = found {
                    assert_eq!((refusal.status, refusal.step), (status, step));
                }
            }
        }
    }

    #[test]
    fn saving_a_draft_keeps_it_a_draft() {
        assert_eq!(Status::Draft.after(Step::Save), Ok(Status::Draft));
    }

    #[test]
    fn submitting_a_draft_or_a_returned_report_makes_it_submitted() {
        assert_eq!(Status::Draft.after(Step::Submit), Ok(Status::Submitted));
        assert_eq!(Status::Returned.after(Step::Submit), Ok(Status::Submitted));
    }

    #[test]
    fn saving_a_returned_report_keeps_it_returned_so_its_comment_stays_open() {
        assert_eq!(Status::Returned.after(Step::Save), Ok(Status::Returned));
    }

    #[test]
    fn a_submitted_report_is_returned_or_accepted_by_its_review() {
        assert_eq!(Status::Submitted.after(Step::Return), Ok(Status::Returned));
        assert_eq!(Status::Submitted.after(Step::Accept), Ok(Status::Accepted));
    }

    #[test]
    fn reopening_an_accepted_report_returns_it() {
        assert_eq!(Status::Accepted.after(Step::Reopen), Ok(Status::Returned));
    }

    #[test]
    fn a_submitted_report_cannot_be_saved_or_submitted_again_until_returned() {
        assert_eq!(
            refusal(Status::Submitted, Step::Save).to_string(),
            "Báo cáo đã gửi đang chờ xem xét, không sửa được cho đến khi bị trả lại (a submitted \
             report cannot be edited unless it is returned)"
        );
        assert_eq!(
            refusal(Status::Submitted, Step::Submit).to_string(),
            "Báo cáo đã được gửi và đang chờ xem xét (the report is already submitted and waits \
             for review)"
        );
    }

    #[test]
    fn an_accepted_report_is_locked_against_every_step_but_reopening() {
        for step in [Step::Save, Step::Submit, Step::Return, Step::Accept] {
            let refusal = refusal(Status::Accepted, step);
            assert_eq!(
                refusal.message.vi,
                "Báo cáo đã được chấp nhận và bị khóa; cần mở lại (kèm lý do) trước khi thay đổi"
            );
            assert_eq!(
                refusal.message.en,
                "the report is accepted and locked; it must be reopened, with a reason, first"
            );
        }
    }

    #[test]
    fn only_an_accepted_report_can_be_reopened_and_the_refusal_names_the_status() {
        for status in [Status::Draft, Status::Submitted, Status::Returned] {
            let message = refusal(status, Step::Reopen).message;
            assert_eq!(
                message.vi,
                format!(
                    "Chỉ mở lại được báo cáo đã chấp nhận; báo cáo này đang ở trạng thái «{}»",
                    status.label_vi()
                )
            );
            assert_eq!(
                message.en,
                format!(
                    "only an accepted report can be reopened; this one is {}",
                    status.as_str()
                )
            );
        }
    }

    #[test]
    fn only_a_submitted_report_can_be_reviewed_and_the_refusal_names_the_status() {
        for status in [Status::Draft, Status::Returned] {
            for step in [Step::Return, Step::Accept] {
                assert_eq!(
                    refusal(status, step).to_string(),
                    format!(
                        "Chỉ xem xét được báo cáo đã gửi; báo cáo này đang ở trạng thái «{}» \
                         (only a submitted report can be returned or accepted; this one is {})",
                        status.label_vi(),
                        status.as_str()
                    )
                );
            }
        }
    }

    #[test]
    fn a_new_report_starts_as_an_empty_draft_and_cannot_be_reviewed_first() {
        assert_eq!(Status::of_new_report(Step::Save), Ok(Status::Draft));
        assert_eq!(Status::of_new_report(Step::Submit), Ok(Status::Submitted));
        for step in [Step::Return, Step::Accept, Step::Reopen] {
            assert!(Status::of_new_report(step).is_err(), "{}", step.as_str());
        }
    }

    #[test]
    fn statuses_and_steps_read_back_the_names_they_are_stored_under() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        for step in Step::ALL {
            assert_eq!(Step::parse(step.as_str()), Some(step));
        }
        assert_eq!(Status::parse("Draft"), None);
        assert_eq!(Step::parse("approve"), None);
    }

    #[test]
    fn statuses_and_steps_serialise_as_their_stored_names() {
        for status in Status::ALL {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
        }
        for step in Step::ALL {
            assert_eq!(
                serde_json::to_value(step).unwrap(),
                serde_json::json!(step.as_str())
            );
        }
    }

    #[test]
    fn only_a_return_and_a_reopening_require_a_note() {
        let required: Vec<Step> = Step::ALL
            .into_iter()
            .filter(|step| step.required_note().is_some())
            .collect();
        assert_eq!(required, [Step::Return, Step::Reopen]);
    }

    #[test]
    fn a_report_period_is_once_or_a_decree_09_period_by_its_code() {
        assert_eq!("once".parse(), Ok(ReportPeriod::Once));
        assert_eq!("ONCE".parse(), Ok(ReportPeriod::Once));
        let quarter = ReportPeriod::Period(Period::new(PeriodKind::Quarterly, 2025, 2).unwrap());
        assert_eq!("2025-Q2".parse(), Ok(quarter));
        assert_eq!(quarter.code(), "2025-Q2");
        assert_eq!(quarter.to_string(), "Quý II/2025");
        assert_eq!(ReportPeriod::Once.to_string(), "Báo cáo một lần");
        assert!("sometime".parse::<ReportPeriod>().is_err());
    }

    #[test]
    fn a_report_period_serialises_as_its_code_and_once_sorts_first() {
        let year = ReportPeriod::Period(Period::new(PeriodKind::Annual, 2026, 1).unwrap());
        assert_eq!(
            serde_json::to_value(year).unwrap(),
            serde_json::json!("2026-Y")
        );
        assert_eq!(
            serde_json::from_value::<ReportPeriod>(serde_json::json!("once")).unwrap(),
            ReportPeriod::Once
        );
        assert!(ReportPeriod::Once < year);
    }

    #[test]
    fn progress_over_100_percent_is_refused() {
        assert_eq!(check_progress(100), Ok(100));
        assert_eq!(
            check_progress(101).unwrap_err().to_string(),
            "Tiến độ phải từ 0 đến 100%, không phải 101% (progress must be 0–100)"
        );
    }

    #[test]
    fn a_submission_needs_results_and_a_draft_does_not() {
        assert!(check_results(Step::Save, "").is_ok());
        assert!(check_results(Step::Submit, "Đã ban hành kế hoạch").is_ok());
        assert_eq!(
            check_results(Step::Submit, "").unwrap_err().message.en,
            "a report cannot be submitted without results"
        );
    }

    #[test]
    fn an_empty_evidence_row_is_dropped_and_a_filled_one_is_cleaned() {
        assert_eq!(IssuedDocument::default().normalised(), Ok(None));
        assert_eq!(EvidenceLink::default().normalised(), Ok(None));
        let document = IssuedDocument {
            number: " 12/KH-UBND ".to_owned(),
            issued_on: None,
            title: "Ke\u{302}\u{301} hoạch ".to_owned(),
        };
        assert_eq!(
            document.normalised(),
            Ok(Some(IssuedDocument {
                number: "12/KH-UBND".to_owned(),
                issued_on: None,
                title: "Kế hoạch".to_owned(),
            }))
        );
    }

    #[test]
    fn an_issued_document_without_its_number_is_refused() {
        let document = IssuedDocument {
            title: "Kế hoạch".to_owned(),
            ..IssuedDocument::default()
        };
        assert_eq!(
            document.normalised().unwrap_err().to_string(),
            "Văn bản «Kế hoạch» thiếu số, ký hiệu (an issued document needs its number)"
        );
    }

    #[test]
    fn a_link_must_be_an_http_or_https_address_with_a_host() {
        let link = |url: &str| EvidenceLink {
            url: url.to_owned(),
            title: String::new(),
        };
        assert!(link("HTTPS://chinhphu.vn/a").normalised().is_ok());
        for bad in [
            "ftp://chinhphu.vn",
            "https://",
            "chinhphu.vn",
            "https://a b",
        ] {
            assert!(link(bad).normalised().is_err(), "{bad}");
        }
    }

    #[test]
    fn an_attached_file_is_named_by_a_lower_case_sha256() {
        let file = AttachedFile {
            sha256: format!(" {} ", "AB".repeat(32)),
            name: " báo cáo.pdf ".to_owned(),
        };
        assert_eq!(
            file.normalised(),
            Ok(AttachedFile {
                sha256: "ab".repeat(32),
                name: "báo cáo.pdf".to_owned(),
            })
        );
        let short = AttachedFile {
            sha256: "abc".to_owned(),
            name: String::new(),
        };
        assert_eq!(
            short.normalised().unwrap_err().to_string(),
            "«abc» không phải mã SHA-256 của một tệp (not a file's SHA-256)"
        );
    }

    #[test]
    fn the_authors_under_review_are_those_who_wrote_since_the_last_review() {
        use Step::*;
        assert_eq!(
            authors_under_review([(Save, "an"), (Submit, "binh")]),
            ["an", "binh"]
        );
        assert_eq!(authors_under_review([(Save, "an"), (Submit, "an")]), ["an"]);
        // A return closes a round: the next submission is reviewed for what was written since.
        assert_eq!(
            authors_under_review([(Submit, "an"), (Return, "chi"), (Submit, "binh")]),
            ["binh"]
        );
        assert_eq!(
            authors_under_review([(Submit, "an"), (Accept, "chi"), (Reopen, "chi")]),
            Vec::<&str>::new()
        );
    }
}
