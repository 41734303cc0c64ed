//! Tiến độ theo thời gian — a program's timeline (the Gantt view): each group and task placed on
//! a time axis from its time frame, with its state on the day. The geometry (which day falls at
//! which x) is here, a plain function tested on its own, so the page only draws; the states are
//! the dashboard's ([`crate::work::dashboard`]), never judged a second time.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use dongbo_domain::WorkState;

use crate::Programs;
use crate::context::Result;
use crate::views::{ProgramDetail, TaskView};
use crate::work;

/// A time axis mapped onto `[left, right]`: whole calendar years, from 1 January of its first
/// year to 1 January after its last, so that year and quarter ticks fall on round days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub start: NaiveDate,
    /// The first day after the axis (1 January of the year after the last).
    pub end: NaiveDate,
    pub left: f64,
    pub right: f64,
}

impl Axis {
    /// The axis of whole years holding every day of `days` (at least the year of `fallback`),
    /// drawn between `left` and `right`.
    pub fn spanning(
        days: impl IntoIterator<Item = NaiveDate>,
        fallback: NaiveDate,
        left: f64,
        right: f64,
    ) -> Axis {
        let (mut first, mut last) = (fallback.year(), fallback.year());
        for day in days {
            first = first.min(day.year());
            last = last.max(day.year());
        }
        Axis {
            start: year_start(first),
            end: year_start(last.saturating_add(1)),
            left,
            right,
        }
    }

    /// The x of the start of `day`; days outside the axis are held at its ends.
    pub fn x(&self, day: NaiveDate) -> f64 {
        let total = (self.end - self.start).num_days().max(1) as f64;
        let offset = (day - self.start).num_days().clamp(0, total as i64) as f64;
        self.left + (self.right - self.left) * offset / total
    }

    /// The x of the end of `day` (the start of the next): a bar ending on 31 December reaches
    /// the year's edge.
    pub fn x_after(&self, day: NaiveDate) -> f64 {
        self.x(day.succ_opt().unwrap_or(day))
    }

    /// Whether `day` lies on the axis.
    pub fn holds(&self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end
    }

    /// Each year of the axis with the x of its first day.
    pub fn years(&self) -> Vec<(i32, f64)> {
        (self.start.year()..self.end.year())
            .map(|y| (y, self.x(year_start(y))))
            .collect()
    }

    /// The first day of each quarter but the first of each year, with its x and its number
    /// (2–4): the lighter ticks between years. None when the axis holds more than
    /// `max_years` years (the ticks would crowd).
    pub fn quarters(&self, max_years: i32) -> Vec<(u32, f64)> {
        if self.end.year() - self.start.year() > max_years {
            return Vec::new();
        }
        let mut ticks = Vec::new();
        for year in self.start.year()..self.end.year() {
            for (quarter, month) in [(2, 4), (3, 7), (4, 10)] {
                if let Some(day) = NaiveDate::from_ymd_opt(year, month, 1) {
                    ticks.push((quarter, self.x(day)));
                }
            }
        }
        ticks
    }
}

fn year_start(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// When a piece of work runs: from `start` to `end` (inclusive), or on with no end
/// ("thường xuyên", "hằng năm", "từ 2025"): drawn to the axis's end, marked as open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

impl Span {
    /// A task's span from its time frame: its start (else the program's date, else the first
    /// day of its due year) to its due date; recurring or ongoing work without a due date is
    /// open-ended from its start (else `open_from`: the program's date or its earliest
    /// start). None for a time frame that names no day (text that did not parse).
    pub fn of_task(
        task: &TaskView,
        issued_on: Option<NaiveDate>,
        open_from: NaiveDate,
    ) -> Option<Span> {
        let frame = &task.time_frame;
        match frame.due {
            Some(due) => {
                let start = frame
                    .start
                    .or(issued_on)
                    .filter(|s| *s <= due)
                    .unwrap_or_else(|| year_start(due.year()).min(due));
                Some(Span {
                    start,
                    end: Some(due),
                })
            }
            None if frame.recurrence != "none" || frame.start.is_some() => Some(Span {
                start: frame.start.unwrap_or(open_from),
                end: None,
            }),
            None => None,
        }
    }

    /// The span covering every span of `spans` (open when any is); None when there are none.
    pub fn covering<'a>(spans: impl IntoIterator<Item = &'a Span>) -> Option<Span> {
        let mut covering: Option<Span> = None;
        let mut open = false;
        for span in spans {
            open |= span.end.is_none();
            covering = Some(match covering {
                None => *span,
                Some(c) => Span {
                    start: c.start.min(span.start),
                    end: match (c.end, span.end) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    },
                },
            });
        }
        covering.map(|c| Span {
            start: c.start,
            end: if open { None } else { c.end },
        })
    }
}

/// One task's row.
#[derive(Debug, Clone)]
pub struct TaskRow {
    pub code: String,
    pub title: String,
    /// The time frame as the document wrote it.
    pub time_frame: String,
    /// Its state on the day, as the dashboard judges it (not started when no lead holds it).
    pub state: WorkState,
    pub span: Option<Span>,
}

/// One group's row (its span covers its tasks') and its tasks.
#[derive(Debug, Clone)]
pub struct GroupRow {
    pub code: String,
    pub title: String,
    pub span: Option<Span>,
    pub tasks: Vec<TaskRow>,
}

/// A program's timeline on a day.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub program_id: i64,
    pub number: Option<String>,
    pub title: String,
    pub today: NaiveDate,
    pub groups: Vec<GroupRow>,
}

impl Timeline {
    /// The axis holding every span and today, drawn between `left` and `right`.
    pub fn axis(&self, left: f64, right: f64) -> Axis {
        let days = self
            .groups
            .iter()
            .filter_map(|g| g.span)
            .flat_map(|s| [Some(s.start), s.end])
            .flatten();
        Axis::spanning(days, self.today, left, right)
    }
}

/// The timeline of `program` with the states of `states` (task code → state).
pub fn build(
    program: &ProgramDetail,
    states: &HashMap<&str, WorkState>,
    today: NaiveDate,
) -> Timeline {
    let tasks = program.groups.iter().flat_map(|g| g.tasks.iter());
    let open_from = program
        .issued_on
        .or_else(|| tasks.filter_map(|t| t.time_frame.start).min())
        .unwrap_or_else(|| year_start(today.year()));
    let groups = program
        .groups
        .iter()
        .map(|group| {
            let tasks: Vec<TaskRow> = group
                .tasks
                .iter()
                .map(|task| TaskRow {
                    code: task.code.clone(),
                    title: task.title.clone(),
                    time_frame: task.time_frame.text.clone(),
                    state: states
                        .get(task.code.as_str())
                        .copied()
                        .unwrap_or(WorkState::NotStarted),
                    span: Span::of_task(task, program.issued_on, open_from),
                })
                .collect();
            GroupRow {
                code: group.code.clone(),
                title: group.title.clone(),
                span: Span::covering(tasks.iter().filter_map(|t| t.span.as_ref())),
                tasks,
            }
        })
        .collect();
    Timeline {
        program_id: program.id,
        number: program.number.clone(),
        title: program.title.clone(),
        today,
        groups,
    }
}

/// The timeline of program `id` on `today`: its text as of now, its tasks' states as the
/// dashboard has them on that day. Anyone who may read the program may read it.
pub async fn for_program(programs: &Programs, id: i64, today: NaiveDate) -> Result<Timeline> {
    let stamp = programs.dashboard_stamp(id).await?;
    let program = programs.program_detail(id, stamp).await?;
    let period = work::missing_period(None, today)?;
    let computed = work::dashboard(programs, id, stamp, None, today, period).await?;
    let states: HashMap<&str, WorkState> = computed
        .figures
        .task_lines
        .iter()
        .map(|t| (t.task_code.as_str(), t.state))
        .collect();
    Ok(build(&program, &states, today))
}

/// `text` cut to at most `max` characters at a word's end, with "…" when cut: a task's name
/// beside its bar (the whole name is in the bar's tooltip).
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at_word = match cut.rfind(' ') {
        Some(i) if i > cut.len() / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", at_word.trim_end_matches([' ', ',', ';', ':']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn axis_2026_2027() -> Axis {
        Axis::spanning(
            [day(2026, 3, 1), day(2027, 6, 30)],
            day(2026, 5, 1),
            100.0,
            830.0,
        )
    }

    #[test]
    fn the_axis_spans_whole_years_and_maps_their_ends_to_its_edges() {
        let axis = axis_2026_2027();
        assert_eq!(axis.start, day(2026, 1, 1));
        assert_eq!(axis.end, day(2028, 1, 1));
        assert!((axis.x(day(2026, 1, 1)) - 100.0).abs() < 1e-9);
        assert!((axis.x_after(day(2027, 12, 31)) - 830.0).abs() < 1e-9);
        // 2026 has 365 days of the axis's 730: 1 January 2027 is half-way.
        assert!((axis.x(day(2027, 1, 1)) - 465.0).abs() < 1e-9);
    }

    #[test]
    fn later_days_are_further_right_and_days_outside_are_held_at_the_edges() {
        let axis = axis_2026_2027();
        let mut previous = f64::MIN;
        let mut d = day(2026, 1, 1);
        while d < day(2028, 1, 1) {
            let x = axis.x(d);
            assert!(x > previous, "{d} at {x} is right of the day before");
            previous = x;
            d = d.succ_opt().unwrap();
        }
        assert!((axis.x(day(2020, 5, 5)) - 100.0).abs() < 1e-9);
        assert!((axis.x(day(2031, 5, 5)) - 830.0).abs() < 1e-9);
        assert!(axis.holds(day(2027, 12, 31)) && !axis.holds(day(2028, 1, 1)));
    }

    #[test]
    fn the_axis_holds_the_fallback_day_and_gives_year_and_quarter_ticks() {
        let axis = Axis::spanning([], day(2026, 12, 7), 0.0, 365.0);
        assert_eq!((axis.start, axis.end), (day(2026, 1, 1), day(2027, 1, 1)));
        assert_eq!(axis.years(), vec![(2026, 0.0)]);
        let quarters = axis.quarters(6);
        assert_eq!(
            quarters.iter().map(|(q, _)| *q).collect::<Vec<_>>(),
            [2, 3, 4]
        );
        // 1 April is day 90 of 2026.
        assert!((quarters[0].1 - 90.0).abs() < 1e-9);
        let long = Axis::spanning(
            [day(2020, 1, 1), day(2045, 1, 1)],
            day(2026, 1, 1),
            0.0,
            1.0,
        );
        assert!(long.quarters(6).is_empty(), "26 years: no quarter ticks");
        assert_eq!(long.years().len(), 26);
    }

    #[test]
    fn a_group_covers_its_tasks_and_is_open_when_one_is() {
        let closed = Span {
            start: day(2026, 1, 1),
            end: Some(day(2026, 12, 31)),
        };
        let later = Span {
            start: day(2025, 6, 1),
            end: Some(day(2027, 3, 31)),
        };
        let open = Span {
            start: day(2026, 2, 1),
            end: None,
        };
        assert_eq!(
            Span::covering([&closed, &later]),
            Some(Span {
                start: day(2025, 6, 1),
                end: Some(day(2027, 3, 31))
            })
        );
        assert_eq!(
            Span::covering([&closed, &open]),
            Some(Span {
                start: day(2026, 1, 1),
                end: None
            })
        );
        assert_eq!(Span::covering([]), None);
    }

    #[test]
    fn long_names_are_cut_at_a_word_with_an_ellipsis() {
        assert_eq!(shorten("Xây dựng đề án", 40), "Xây dựng đề án");
        let cut = shorten("Hoàn thiện thể chế về chuyển đổi số quốc gia", 24);
        assert!(cut.chars().count() <= 24, "{cut}");
        assert_eq!(cut, "Hoàn thiện thể chế về…");
    }
}
