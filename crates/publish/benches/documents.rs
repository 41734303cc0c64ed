//! Benchmark: the national synthesis report of 47/NQ-CP with every agency reporting (its own
//! tasks and the assignments its cells give, as `tests/common/national.rs` builds them, each
//! with an accepted report) built and rendered as DOCX, XLSX and PDF — target < 2 s for all
//! three (issue 19); the same for a synthetic 64 agencies × 56 tasks (every agency on every
//! task, 3,584 assignments; issue 4's target, < 2 s); and the phase scorecard of the same 3,584 assignments over
//! three years with three annual reports each (10,752 expected reports) — target < 200 ms.
//! Run by `cargo xtask bench`; figures go to BENCHMARKS.md.

#[path = "../tests/common/national.rs"]
mod national;

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use dongbo_domain::Role;
use dongbo_domain::completeness::Timeliness;
use dongbo_domain::dashboard::Fact;
use dongbo_domain::scorecard::{IndicatorResult, evaluate};
use dongbo_domain::state::WorkState;
use dongbo_publish::synthesis::{
    AssignmentLine, GroupInfo, IndicatorLine, Level, PeriodInfo, ProgramInfo, ReportFigures,
    ReportText, SynthesisInput, TaskInfo, build,
};
use dongbo_publish::template::SHIPPED_SYNTHESIS;
use dongbo_publish::{Issuer, Signature, docx, pdf, render_all, xlsx};

const AGENCIES: usize = 64;
const TASKS: usize = 56;
const GROUPS: usize = 6;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

fn state(i: usize) -> WorkState {
    WorkState::ALL[i % WorkState::ALL.len()]
}

/// The report's input; `run` varies the figures and the reports' words, as the next period's
/// report of the same program would, so that a run does not reuse the layout of the one before.
fn input(run: usize) -> SynthesisInput {
    let agency = |a: usize| {
        (
            format!("A{a:02}"),
            format!("Ủy ban nhân dân tỉnh Thử Nghiệm Số {a}"),
        )
    };
    let tasks: Vec<TaskInfo> = (0..TASKS)
        .map(|t| TaskInfo {
            code: format!("{}.{}", t % GROUPS + 1, t / GROUPS + 1),
            group_code: format!("{}", t % GROUPS + 1),
            title: format!(
                "Tăng cường thông tin đối ngoại về chủ đề số {t}, quảng bá hình ảnh đất nước, con người Việt Nam ra thế giới"
            ),
            state: state(t),
            progress: u8::try_from(t * 7 % 101).unwrap_or(0),
            due: Some(day(2026, 12, 31)),
        })
        .collect();
    let assignments = (0..AGENCIES)
        .flat_map(|a| {
            let tasks = &tasks;
            (0..TASKS).map(move |t| {
                let (code, name) = agency(a);
                AssignmentLine {
                    agency_code: code.clone(),
                    agency_name: name,
                    lead: a == t % AGENCIES,
                    task_code: tasks[t].code.clone(),
                    state: state(a + t + run),
                    progress: u8::try_from(40 + (a + t + run) % 61).unwrap_or(0),
                    due: Some(day(2026, 12, 31)),
                    done_on: None,
                    report: Some(ReportText {
                        progress: u8::try_from(40 + (a + t + run) % 61).unwrap_or(0),
                        results: format!(
                            "{code} đã tổ chức {} hội nghị, hội thảo, phát hành ấn phẩm thông tin đối ngoại bằng tiếng Anh, tiếng Pháp, tiếng Trung; cập nhật cổng thông tin điện tử.",
                            t + run
                        ),
                        difficulties: if t % 5 == 0 {
                            "Kinh phí cho hoạt động thông tin đối ngoại còn hạn chế.".to_owned()
                        } else {
                            String::new()
                        },
                        recommendations: if t % 7 == 0 {
                            format!("Đề nghị hỗ trợ đào tạo cán bộ làm thông tin đối ngoại của {code}.")
                        } else {
                            String::new()
                        },
                        accepted_on: Some(day(2026, 12, 16)),
                    }),
                }
            })
        })
        .collect();
    SynthesisInput {
        level: Level::National,
        program: ProgramInfo {
            number: Some("47/NQ-CP".into()),
            kind: "Nghị quyết".into(),
            title: "Chương trình hành động của Chính phủ về thông tin đối ngoại".into(),
            issuer: Some("Chính phủ".into()),
            issued_on: Some(day(2024, 3, 21)),
        },
        period: PeriodInfo {
            code: "2026-Y".into(),
            label: "năm 2026".into(),
            start: day(2025, 12, 15),
            end: day(2026, 12, 14),
            deadline: day(2026, 12, 15),
        },
        issuer: Issuer {
            superior: None,
            name: "Bộ Văn hóa, Thể thao và Du lịch".into(),
            abbreviation: "BVHTTDL".into(),
        },
        coordinator: None,
        number: "125/BC-BVHTTDL".into(),
        place: "Hà Nội".into(),
        date: day(2026, 12, 20),
        signature: Signature {
            authority: Some(dongbo_publish::Authority::Kt),
            on_behalf_of: "BỘ TRƯỞNG".into(),
            position: "THỨ TRƯỞNG".into(),
            name: "Nguyễn Văn Hùng".into(),
        },
        groups: (0..GROUPS)
            .map(|g| GroupInfo {
                code: format!("{}", g + 1),
                title: format!("Nhóm nhiệm vụ {}", g + 1),
            })
            .collect(),
        tasks,
        assignments,
        indicators: (0..12)
            .map(|i| IndicatorLine {
                code: format!("{}", i + 1),
                name: format!("Chỉ tiêu {}", i + 1),
                unit: "%".into(),
                target: "≥ 80".into(),
                value: Some(format!("{}", 70 + i)),
                achievement: if 70 + i >= 80 {
                    "Đạt"
                } else {
                    "Chưa đạt"
                }
                .into(),
                tracked_by: "Bộ Văn hóa, Thể thao và Du lịch".into(),
            })
            .collect(),
        reports: ReportFigures {
            expected: 3584,
            on_time: 3000,
            late: 400,
            missing: 184,
            accepted: 3584,
            agencies_expected: 64,
            agencies_complete: 50,
        },
        holding_back: (50..64).map(|a| agency(a).1).collect(),
        cited_items: Vec::new(),
        template: SHIPPED_SYNTHESIS.into(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Builds and renders `input` as a request does (`render_all`): the time, the files' sizes and
/// the PDF's pages.
fn generate(input: &SynthesisInput) -> (Duration, [usize; 3], usize) {
    let started = Instant::now();
    let document = build(black_box(input)).expect("builds");
    let files = render_all(&document).expect("renders");
    let elapsed = started.elapsed();
    let pages = dongbo_testkit::documents::pdf_pages(&files.pdf).len();
    (
        elapsed,
        [files.docx.len(), files.xlsx.len(), files.pdf.len()],
        pages,
    )
}

/// The national report of 47/NQ-CP with every agency reporting: the first after the warm-up,
/// then other periods'.
fn national_47() {
    let first_input = national::input(0);
    let assignments = first_input.assignments.len();
    let agencies = first_input
        .assignments
        .iter()
        .map(|a| a.agency_code.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let tasks = first_input.tasks.len();
    let (first, sizes, pages) = generate(&first_input);
    let runs = 5;
    let measured: Vec<Duration> = (1..=runs)
        .map(|run| generate(&national::input(run)).0)
        .collect();
    let max_total = measured
        .iter()
        .copied()
        .max()
        .unwrap_or_default()
        .max(first);
    let median_total = median(measured);
    println!(
        "synthesis 47/NQ-CP, {agencies} agencies, {tasks} tasks, {assignments} assignments: first report {:.1} ms; then median {:.1} ms, max {:.1} ms ({runs} runs); {pages} PDF pages; sizes {} / {} / {} bytes",
        ms(first),
        ms(median_total),
        ms(max_total),
        sizes[0],
        sizes[1],
        sizes[2],
    );
    println!(
        "RESULT synthesis_47 agencies={agencies} tasks={tasks} assignments={assignments} runs={runs} first_ms={:.3} median_ms={:.3} max_ms={:.3} pages={pages} docx_bytes={} xlsx_bytes={} pdf_bytes={}",
        ms(first),
        ms(median_total),
        ms(max_total),
        sizes[0],
        sizes[1],
        sizes[2],
    );
}

fn main() {
    // What a server does at start, on a thread of its own: read the fonts, typeset a page.
    let started = Instant::now();
    pdf::warm_up().expect("warms up");
    let warm_up = started.elapsed();
    national_47();
    // A report as the server makes one: build it, then the three files (`render_all`: the PDF
    // on a thread of its own beside the DOCX and the XLSX).
    let once = |run: usize| {
        let input = input(run);
        let started = Instant::now();
        let document = build(black_box(&input)).expect("builds");
        let files = render_all(&document).expect("renders");
        (
            started.elapsed(),
            [files.docx.len(), files.xlsx.len(), files.pdf.len()],
        )
    };
    // The first national report of the server, then reports of other periods.
    let (first, sizes) = once(0);
    let runs = 5;
    let measured: Vec<Duration> = (1..=runs).map(|run| once(run).0).collect();
    let max_total = measured
        .iter()
        .copied()
        .max()
        .unwrap_or_default()
        .max(first);
    let median_total = median(measured);
    // Where the time goes: one more report with each part timed alone, one after the other.
    let input = input(runs + 1);
    let started = Instant::now();
    let document = build(black_box(&input)).expect("builds");
    let built = started.elapsed();
    docx::render(&document).expect("docx");
    let after_docx = started.elapsed();
    xlsx::render(&document).expect("xlsx");
    let after_xlsx = started.elapsed();
    pdf::render(&document).expect("pdf");
    let after_pdf = started.elapsed();
    let parts = [
        built,
        after_docx - built,
        after_xlsx - after_docx,
        after_pdf - after_xlsx,
    ];
    println!(
        "synthesis {AGENCIES}×{TASKS}: warm-up at start {:.1} ms; first report {:.1} ms; then median {:.1} ms, max {:.1} ms ({runs} runs); parts one after the other: build {:.1} ms, DOCX {:.1} ms, XLSX {:.1} ms, PDF {:.1} ms; sizes {} / {} / {} bytes",
        ms(warm_up),
        ms(first),
        ms(median_total),
        ms(max_total),
        ms(parts[0]),
        ms(parts[1]),
        ms(parts[2]),
        ms(parts[3]),
        sizes[0],
        sizes[1],
        sizes[2],
    );
    println!(
        "RESULT synthesis agencies={AGENCIES} tasks={TASKS} runs={runs} warm_up_ms={:.3} first_ms={:.3} build_ms={:.3} docx_ms={:.3} xlsx_ms={:.3} pdf_ms={:.3} median_ms={:.3} max_ms={:.3} docx_bytes={} xlsx_bytes={} pdf_bytes={}",
        ms(warm_up),
        ms(first),
        ms(parts[0]),
        ms(parts[1]),
        ms(parts[2]),
        ms(parts[3]),
        ms(median_total),
        ms(max_total),
        sizes[0],
        sizes[1],
        sizes[2],
    );

    // The scorecard: the same assignments, three annual reports each over 2024–2026.
    let facts: Vec<Fact> = input
        .assignments
        .iter()
        .enumerate()
        .map(|(i, a)| Fact {
            agency_code: a.agency_code.clone(),
            role: if a.lead {
                Role::Lead
            } else {
                Role::Coordinating
            },
            task_code: a.task_code.clone(),
            group_code: "1".into(),
            due: Some(day(2024 + i32::try_from(i % 3).unwrap_or(0), 6, 30)),
            recurring: false,
            start: Some(day(2024, 1, 1)),
            progress: 60,
            started: true,
            done_on: (i % 4 != 0).then(|| day(2024, 5 + u32::try_from(i % 3).unwrap_or(0), 1)),
        })
        .collect();
    let timeliness: Vec<Timeliness> = facts
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            (2024..=2026).map(move |year| Timeliness {
                agency_code: f.agency_code.clone(),
                task_code: f.task_code.clone(),
                role: f.role,
                period: format!("{year}-Y"),
                deadline: day(year, 12, 15),
                first_submitted_on: (i % 5 != 0)
                    .then(|| day(year, 12, 10 + u32::try_from(i % 10).unwrap_or(0))),
                accepted: true,
            })
        })
        .collect();
    let indicators: Vec<IndicatorResult> = (0..AGENCIES)
        .map(|a| IndicatorResult {
            agency_code: format!("A{a:02}"),
            indicator_code: format!("{a}"),
            met: (a % 3 != 0).then_some(a % 2 == 0),
            direction_unconfirmed: false,
        })
        .collect();
    let evaluate_once = || {
        let started = Instant::now();
        black_box(evaluate(
            black_box(&facts),
            day(2024, 1, 1),
            day(2026, 12, 31),
            day(2027, 2, 1),
            &timeliness,
            &indicators,
        ));
        started.elapsed()
    };
    black_box(evaluate_once());
    let runs = 50;
    let times: Vec<Duration> = (0..runs).map(|_| evaluate_once()).collect();
    let max = times.iter().max().copied().unwrap_or_default();
    let median_time = median(times);
    println!(
        "scorecard {} assignments, {} expected reports: median {:.2} ms, max {:.2} ms",
        facts.len(),
        timeliness.len(),
        ms(median_time),
        ms(max)
    );
    println!(
        "RESULT scorecard assignments={} reports={} runs={runs} median_ms={:.3} max_ms={:.3}",
        facts.len(),
        timeliness.len(),
        ms(median_time),
        ms(max)
    );
}
