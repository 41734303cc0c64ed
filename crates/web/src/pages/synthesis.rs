//! Báo cáo tổng hợp — a program's synthesis reports: the versions generated so far with their
//! DOCX, XLSX and PDF, the form that generates a new one, the check that a version builds again
//! to the same files, and the administrators' page for the wording template.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_domain::PeriodKind;
use dongbo_domain::access::{Action, ROOT_AGENCY};
use dongbo_domain::regime::{RegimeKind, RegimePeriod, Regimes};
use dongbo_programs::synthesis::{self as stored, Version};
use maud::{Markup, html};

use super::Page;
use super::form::{self, Refusal};
use crate::AppState;
use crate::error::{Error, Result};
use dongbo_programs::synthesis::Request;

const FORM: &str = "synthesis-form";
const FIELDS: [&str; 10] = [
    "level",
    "period",
    "issuer",
    "number",
    "place",
    "date",
    "authority",
    "on_behalf_of",
    "position",
    "signer",
];

/// `GET /programs/{id}/synthesis`.
pub async fn list(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Markup> {
    show(&page, &state, id, None, None).await
}

/// `POST /programs/{id}/synthesis`: generates a report and shows the list with it on top.
pub async fn generate(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let pairs = crate::auth::form_pairs(&String::from_utf8_lossy(&body));
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let request = Request {
        level: value("level"),
        period: value("period"),
        issuer: value("issuer"),
        number: value("number"),
        place: value("place"),
        date: value("date"),
        authority: value("authority"),
        on_behalf_of: value("on_behalf_of"),
        position: value("position"),
        signer: value("signer"),
    };
    match dongbo_programs::synthesis::generate_synthesis(&actor, id, &request).await {
        Ok(version) => Ok(Redirect::to(&format!(
            "/programs/{id}/synthesis?generated={}-{}",
            version.report_id, version.version
        ))
        .into_response()),
        Err(error) => {
            let values = pairs
                .into_iter()
                .filter(|(k, _)| FIELDS.contains(&k.as_str()))
                .collect();
            let refusal = Refusal::of(FORM, values, error)?;
            let page = page.showing(format!("/programs/{id}/synthesis"), String::new());
            Ok(Refusal::answer(
                show(&page, &state, id, Some(&refusal), None).await?,
            ))
        }
    }
}

/// Whether the caller may see a version: a national report, or one issued by an agency the
/// caller may view.
fn may_see(page: &Page, state: &AppState, version: &Version) -> bool {
    page.caller
        .as_ref()
        .is_some_and(|c| dongbo_programs::synthesis::may_see(c, &state.programs.directory, version))
}

/// The periods offered: the recent periods of each of the program's regimes, newest first,
/// none ended before the program was issued (`start`), and its phases.
fn period_choices(
    regimes: &Regimes,
    today: chrono::NaiveDate,
    start: Option<chrono::NaiveDate>,
) -> Vec<RegimePeriod> {
    let mut periods = Vec::new();
    for regime in regimes.iter() {
        let count = match &regime.kind {
            RegimeKind::Periodic { period } => match period {
                PeriodKind::Monthly => 12,
                PeriodKind::Quarterly => 8,
                PeriodKind::SixMonthly => 4,
                PeriodKind::NineMonthly | PeriodKind::Annual => 3,
            },
            RegimeKind::Phase(_) => 1,
        };
        let mut recent = regime.recent_periods_since(today, count, start);
        recent.reverse();
        for period in recent {
            if !periods.contains(&period) {
                periods.push(period);
            }
        }
    }
    periods
}

async fn show(
    page: &Page,
    state: &AppState,
    id: i64,
    refusal: Option<&Refusal>,
    checked: Option<(&Version, [bool; 3])>,
) -> Result<Markup> {
    let caller = page.caller()?.clone();
    let program = state.programs.stored_now(id).await?;
    let program = Option::as_ref(&program).ok_or(Error::NotFound)?;
    let versions: Vec<Version> = stored::versions(&state.programs, id)
        .await?
        .into_iter()
        .filter(|v| may_see(page, state, v))
        .collect();
    let today = state.today();
    let issuers: Vec<&dongbo_domain::Agency> = state
        .programs
        .directory
        .agencies
        .iter()
        .filter(|a| a.code != ROOT_AGENCY && a.valid_on(today))
        .filter(|a| caller.can(Action::PublishReport, &a.code, &state.programs.directory))
        .collect();
    let own = caller
        .grants
        .iter()
        .map(|g| g.agency_code.as_str())
        .find(|code| *code != ROOT_AGENCY)
        .unwrap_or("");
    // The program's coordinating ministry issues by default, signed as its last national
    // report was, when the caller may issue for it; else the caller's own agency.
    let defaults = dongbo_programs::synthesis::issuer_defaults(&state.programs, id).await?;
    let own = defaults
        .issuer_code
        .as_deref()
        .filter(|code| issuers.iter().any(|a| a.code == *code))
        .unwrap_or(own);
    let signature = defaults
        .signature
        .filter(|_| defaults.issuer_code.as_deref() == Some(own));

    let regimes = dongbo_programs::regimes::of_program(&state.programs, id).await?;
    let default_period = regimes
        .default_regime()
        .current_period(today)
        .map(|p| p.code())
        .unwrap_or_default();
    let kept = Refusal::of_form(refusal, FORM);
    let signed = |field: &str, pick: fn(&dongbo_publish::Signature) -> String, otherwise: &str| {
        kept.and_then(|r| r.value(field))
            .map(str::to_owned)
            .or_else(|| signature.as_ref().map(pick))
            .unwrap_or_else(|| otherwise.to_owned())
    };
    let typed = |field: &str, stored: &'static str| -> String {
        form::typed(kept, field, stored).to_owned()
    };
    let chosen_period = kept
        .and_then(|r| r.value("period"))
        .map_or(default_period, str::to_owned);
    let chosen_issuer = kept
        .and_then(|r| r.value("issuer"))
        .unwrap_or(own)
        .to_owned();
    let chosen_level = kept
        .and_then(|r| r.value("level"))
        .unwrap_or("national")
        .to_owned();
    let chosen_authority = signed(
        "authority",
        |s| {
            s.authority
                .map_or("", |a| a.abbreviation().trim_end_matches('.'))
                .to_owned()
        },
        "KT",
    );
    let title = page.t("Báo cáo tổng hợp", "Synthesis reports");
    let program_name = program
        .program
        .document
        .number
        .clone()
        .unwrap_or_else(|| program.program.document.title.clone());
    let body = html! {
        p.crumbs { a href={ "/programs/" (id) } { (program_name) } " › " (title) }
        h1 { (title) }
        (form::summary(page, kept))
        @if let Some((version, [docx, xlsx, pdf])) = checked {
            div.notice #rebuild-result role="status" {
                p {
                    (page.t("Tạo lại từ dữ liệu đã lưu của phiên bản", "Built again from the stored data of version"))
                    " " (version.version) ": "
                    @for (name, same) in [("DOCX", docx), ("XLSX", xlsx), ("PDF", pdf)] {
                        span.check data-format=(name) data-same=(same) {
                            (name) " "
                            @if same { (page.t("trùng khớp", "identical")) } @else { strong { (page.t("KHÁC", "DIFFERENT")) } }
                        }
                        " "
                    }
                }
            }
        }
        @if versions.is_empty() {
            p.muted { (page.t("Chưa có báo cáo tổng hợp nào.", "No synthesis report yet.")) }
        } @else {
            table #versions {
                thead { tr {
                    th { (page.t("Kỳ", "Period")) }
                    th { (page.t("Loại", "Kind")) }
                    th { (page.t("Cơ quan ban hành", "Issued by")) }
                    th { (page.t("Phiên bản", "Version")) }
                    th { (page.t("Số, ký hiệu", "Number")) }
                    th { (page.t("Trích yếu", "Title")) }
                    th { (page.t("Người lập", "Made by")) }
                    th { (page.t("Tệp", "Files")) }
                } }
                tbody {
                    @for v in &versions {
                        tr data-report=(v.report_id) data-version=(v.version) {
                            td { (dongbo_programs::synthesis::period_of(&v.period, &regimes).map_or_else(|| v.period.clone(), |(p, _)| page.t(&p.label_vi(), &p.label_en()).to_owned())) }
                            td { (page.t(v.level.label_vi(), v.level.label_en())) }
                            td { (state.programs.directory.agency(&v.issuer_code).map_or(v.issuer_code.as_str(), |a| page.t(&a.name_vi, &a.name_en))) }
                            td { (v.version) }
                            td { (page.doc_number(&v.number)) }
                            td { (v.title) }
                            td { (v.created_by) br; span.muted { (v.created_at.get(..16).unwrap_or(&v.created_at).replace('T', " ")) } }
                            td {
                                @for format in ["docx", "xlsx", "pdf"] {
                                    a.file href={ "/programs/" (id) "/synthesis/" (v.report_id) "/" (v.version) "/" (format) } { (format.to_uppercase()) }
                                    " "
                                }
                                // The national report prints what a leader reads; every agency
                                // on every task is in its XLSX, and on paper here.
                                @if v.level.as_str() == "national" {
                                    a.file.detailed href={ "/programs/" (id) "/synthesis/" (v.report_id) "/" (v.version) "/detailed-pdf" } { (page.t("PDF chi tiết", "Detailed PDF")) }
                                    " "
                                }
                                a.rebuild href={ "/programs/" (id) "/synthesis/" (v.report_id) "/" (v.version) "/check" } { (page.t("Kiểm tra", "Check")) }
                            }
                        }
                    }
                }
            }
        }
        @if issuers.is_empty() {
            p.muted { (page.t(
                "Vai trò của bạn không cho phép lập báo cáo tổng hợp.",
                "Your role does not allow generating synthesis reports.")) }
        } @else {
            h2 { (page.t("Lập báo cáo", "Generate a report")) }
            p.muted { (page.t(
                "Báo cáo được lập từ các báo cáo đã được chấp nhận trong kỳ và tình trạng nhiệm vụ vào ngày của văn bản, theo thể thức Nghị định 30/2020/NĐ-CP. Mỗi lần lập là một phiên bản mới, không sửa được.",
                "The report is built from the reports accepted for the period and the state of the work on the document's date, in the format of Decree 30/2020. Each generation is a new version that cannot be changed.")) }
            form #synthesis-form method="post" action={ "/programs/" (id) "/synthesis" } {
                (page.csrf_field())
                fieldset {
                    legend { (page.t("Loại báo cáo", "Kind of report")) }
                    @for (value, vi, en) in [("national", "Báo cáo tổng hợp chung của chương trình", "National report on the whole program"), ("agency", "Báo cáo của cơ quan về nhiệm vụ được giao", "The agency's report on its own work")] {
                        label.inline {
                            input type="radio" name="level" value=(value) checked[chosen_level == value];
                            " " (page.t(vi, en))
                        }
                    }
                    (form::error(kept, "level"))
                }
                label for="period" { (page.t("Kỳ báo cáo", "Period")) }
                select #period name="period" aria-invalid=[form::invalid(kept, "period")] aria-describedby=[form::described_by(kept, "period")] {
                    @for p in period_choices(&regimes, today, program.program.document.issued_on) {
                        option value=(p.code()) selected[p.code() == chosen_period] { (page.t(&p.label_vi(), &p.label_en())) }
                    }
                }
                (form::error(kept, "period"))
                label for="issuer" { (page.t("Cơ quan ban hành", "Issuing agency")) }
                select #issuer name="issuer" aria-invalid=[form::invalid(kept, "issuer")] aria-describedby=[form::described_by(kept, "issuer")] {
                    @if chosen_issuer.is_empty() { option value="" selected { (page.t("— Chọn cơ quan —", "— Choose an agency —")) } }
                    @for a in &issuers {
                        option value=(a.code) selected[a.code == chosen_issuer] { (page.t(&a.name_vi, &a.name_en)) }
                    }
                }
                (form::error(kept, "issuer"))
                label for="number" { (page.t("Số, ký hiệu (để trống nếu văn thư sẽ cấp số)", "Number and symbol (blank if the registry will number it)")) }
                input #number name="number" value=(typed("number", "")) placeholder="12/BC-BVHTTDL" aria-invalid=[form::invalid(kept, "number")];
                (form::error(kept, "number"))
                label for="place" { (page.t("Địa danh (để trống: theo cơ quan ban hành)", "Place (blank: the issuer's)")) }
                input #place name="place" value=(typed("place", "")) placeholder="Hà Nội";
                label for="date" { (page.t("Ngày văn bản", "Date")) }
                input #date type="date" name="date" value=(typed("date", "")) aria-invalid=[form::invalid(kept, "date")] aria-describedby=[form::described_by(kept, "date")];
                (form::error(kept, "date"))
                fieldset {
                    legend { (page.t("Người ký", "Signature")) }
                    label for="authority" { (page.t("Thẩm quyền ký", "Signing authority")) }
                    select #authority name="authority" aria-invalid=[form::invalid(kept, "authority")] aria-describedby=[form::described_by(kept, "authority")] {
                        @for (value, label) in [("", "—"), ("TM", "TM. (thay mặt)"), ("KT", "KT. (ký thay)"), ("TL", "TL. (thừa lệnh)"), ("Q", "Q. (quyền)"), ("TUQ", "TUQ. (thừa ủy quyền)")] {
                            option value=(value) selected[chosen_authority == value] { (label) }
                        }
                    }
                    (form::error(kept, "authority"))
                    label for="on_behalf_of" { (page.t("Ký thay cho", "Signs for")) }
                    input #on_behalf_of name="on_behalf_of" value=(signed("on_behalf_of", |s| s.on_behalf_of.clone(), "BỘ TRƯỞNG")) aria-invalid=[form::invalid(kept, "on_behalf_of")] aria-describedby=[form::described_by(kept, "on_behalf_of")];
                    (form::error(kept, "on_behalf_of"))
                    label for="position" { (page.t("Chức vụ", "Position")) }
                    input #position name="position" value=(signed("position", |s| s.position.clone(), "THỨ TRƯỞNG")) aria-invalid=[form::invalid(kept, "position")] aria-describedby=[form::described_by(kept, "position")];
                    (form::error(kept, "position"))
                    label for="signer" { (page.t("Họ và tên", "Full name")) }
                    input #signer name="signer" value=(signed("signer", |s| s.name.clone(), "")) required aria-invalid=[form::invalid(kept, "signer")] aria-describedby=[form::described_by(kept, "signer")];
                    (form::error(kept, "signer"))
                }
                button type="submit" { (page.t("Lập báo cáo", "Generate")) }
            }
        }
        @if caller.can(Action::EditTemplates, ROOT_AGENCY, &state.programs.directory) {
            p { a #template-link href="/admin/templates/synthesis" { (page.t("Sửa lời văn mẫu báo cáo", "Edit the report wording")) } }
        }
    };
    Ok(page.render(title, body))
}

/// `GET /programs/{id}/synthesis/{report}/{version}/{file}`: a version's DOCX, XLSX or PDF.
pub async fn download(
    page: Page,
    State(state): State<AppState>,
    Path((id, report, version, file)): Path<(i64, i64, i64, String)>,
) -> Result<Response> {
    page.caller()?;
    let (found, _) = stored::version(&state.programs, report, version)
        .await?
        .ok_or(Error::NotFound)?;
    if found.program_id != id || !may_see(&page, &state, &found) {
        return Err(Error::NotFound);
    }
    if file == "detailed-pdf" {
        let actor = page.actor(&state)?;
        let bytes = dongbo_programs::synthesis::detailed_pdf(&actor, id, report, version).await?;
        let name = format!(
            "BC-{}-{}-v{}-chi-tiet.pdf",
            found.issuer_code, found.period, found.version
        );
        return Ok(super::attachment(
            dongbo_programs::reports::MediaType::Pdf,
            &name,
            bytes,
        ));
    }
    let (sha256, media) =
        dongbo_programs::synthesis::file_of(&found, &file).ok_or(Error::NotFound)?;
    let bytes = dongbo_programs::reports::file_bytes(&state.programs, sha256).await?;
    let name = format!(
        "BC-{}-{}-v{}.{file}",
        found.issuer_code, found.period, found.version
    );
    Ok(super::attachment(media, &name, bytes))
}

/// `GET /programs/{id}/synthesis/{report}/{version}/check`: builds the version again from its
/// stored data and says whether each file came out the same.
pub async fn check(
    page: Page,
    State(state): State<AppState>,
    Path((id, report, version)): Path<(i64, i64, i64)>,
) -> Result<Markup> {
    let actor = page.actor(&state)?;
    let (found, same) =
        dongbo_programs::synthesis::rebuild_synthesis(&actor, id, report, version).await?;
    show(&page, &state, id, None, Some((&found, same))).await
}

// ---------------------------------------------------------------------------------------------
// The wording template

/// `GET /admin/templates/synthesis`.
pub async fn template_form(page: Page, State(state): State<AppState>) -> Result<Markup> {
    show_template(&page, &state, None).await
}

/// `POST /admin/templates/synthesis`: saves the text, or with `reset` goes back to the shipped
/// wording.
pub async fn save_template(
    page: Page,
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let pairs = crate::auth::form_pairs(&String::from_utf8_lossy(&body));
    let reset = pairs.iter().any(|(k, _)| k == "reset");
    let text = pairs
        .iter()
        .find(|(k, _)| k == "body")
        .map(|(_, v)| v.replace("\r\n", "\n"))
        .unwrap_or_default();
    let saved = if reset {
        dongbo_programs::synthesis::save_synthesis_template(&actor, None).await
    } else {
        dongbo_programs::synthesis::save_synthesis_template(&actor, Some(&text)).await
    };
    match saved {
        Ok(()) => Ok(Redirect::to("/admin/templates/synthesis?saved=1").into_response()),
        Err(error) => {
            let refusal = Refusal::of("template-form", vec![("body".to_owned(), text)], error)?;
            Ok(Refusal::answer(
                show_template(&page, &state, Some(&refusal)).await?,
            ))
        }
    }
}

async fn show_template(page: &Page, state: &AppState, refusal: Option<&Refusal>) -> Result<Markup> {
    let caller = page.caller()?;
    if !caller.can(
        Action::EditTemplates,
        ROOT_AGENCY,
        &state.programs.directory,
    ) {
        return Err(Error::Forbidden);
    }
    let stored = stored::saved_template(&state.programs).await?;
    let current = dongbo_programs::synthesis::synthesis_template(&state.programs).await?;
    let kept = Refusal::of_form(refusal, "template-form");
    let title = page.t("Lời văn mẫu báo cáo tổng hợp", "Synthesis report wording");
    let body = html! {
        h1 { (title) }
        (form::summary(page, kept))
        p.muted {
            @match &stored {
                Some(t) => { (page.t("Đang dùng lời văn do", "In use: the wording saved by")) " " (t.updated_by) " " (page.t("lưu lúc", "at")) " " (t.updated_at.get(..16).unwrap_or(&t.updated_at).replace('T', " ")) "." }
                None => { (page.t("Đang dùng lời văn mẫu đi kèm chương trình.", "In use: the wording shipped with the program.")) }
            }
            " " (page.t(
                "Mỗi giá trị là một mẫu MiniJinja: {{ tên }} chèn một giá trị; các giá trị được dùng được liệt kê ở đầu văn bản. Mẫu được kiểm tra trước khi lưu.",
                "Each value is a MiniJinja template: {{ name }} inserts a value; the values you may use are listed at the top. The text is checked before it is saved."))
        }
        form #template-form method="post" action="/admin/templates/synthesis" {
            (page.csrf_field())
            label for="body" { (page.t("Lời văn (TOML)", "Wording (TOML)")) }
            textarea #body name="body" rows="30" spellcheck="false" aria-invalid=[form::invalid(kept, "body")] aria-describedby=[form::described_by(kept, "body")] {
                (form::typed(kept, "body", &current))
            }
            (form::error(kept, "body"))
            button type="submit" { (page.t("Lưu", "Save")) }
            " "
            button type="submit" name="reset" value="1" { (page.t("Dùng lại lời văn gốc", "Go back to the shipped wording")) }
        }
    };
    Ok(page.render(title, body))
}
