//! The computed state of a task or assignment: each of the five states and the Government
//! Office's four outcomes, the due date itself, work with no due date, inputs that contradict
//! themselves, and the counts a dashboard keeps up to date one change at a time.

use chrono::{Days, NaiveDate};
use dongbo_domain::state::compute;
use dongbo_domain::{Outcome, StateCounts, StateInput, WorkState};
use proptest::prelude::*;

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date in the test")
}

const DUE: (i32, u32, u32) = (2025, 6, 30);

fn due() -> NaiveDate {
    date(DUE.0, DUE.1, DUE.2)
}

fn done_on(day: NaiveDate) -> StateInput {
    StateInput {
        due: Some(due()),
        progress: 100,
        done_on: Some(day),
        started: true,
    }
}

fn under_way(progress: u8) -> StateInput {
    StateInput {
        due: Some(due()),
        progress,
        done_on: None,
        started: true,
    }
}

fn untouched() -> StateInput {
    StateInput {
        due: Some(due()),
        ..StateInput::default()
    }
}

#[test]
fn work_accepted_before_the_due_date_is_done_on_time() {
    assert_eq!(
        compute(&done_on(date(2025, 6, 1)), date(2025, 6, 2)),
        WorkState::DoneOnTime
    );
}

#[test]
fn work_accepted_on_the_due_date_itself_is_done_on_time() {
    assert_eq!(compute(&done_on(due()), due()), WorkState::DoneOnTime);
    assert_eq!(
        compute(&done_on(due()), date(2025, 12, 31)),
        WorkState::DoneOnTime
    );
}

#[test]
fn overdue_task_becomes_done_late_when_report_accepted_after_deadline() {
    let before = under_way(80);
    assert_eq!(
        compute(&before, date(2025, 7, 10)),
        WorkState::OverdueNotDone
    );
    let after = done_on(date(2025, 7, 10));
    assert_eq!(compute(&after, date(2025, 7, 10)), WorkState::DoneLate);
}

#[test]
fn done_work_keeps_its_state_as_days_pass() {
    for today in [date(2025, 1, 1), due(), date(2030, 1, 1)] {
        assert_eq!(
            compute(&done_on(date(2025, 7, 1)), today),
            WorkState::DoneLate
        );
        assert_eq!(
            compute(&done_on(date(2025, 6, 1)), today),
            WorkState::DoneOnTime
        );
    }
}

#[test]
fn work_not_done_after_the_due_date_is_overdue_whether_or_not_it_started() {
    let day_after = date(2025, 7, 1);
    assert_eq!(
        compute(&under_way(60), day_after),
        WorkState::OverdueNotDone
    );
    assert_eq!(compute(&untouched(), day_after), WorkState::OverdueNotDone);
}

#[test]
fn on_the_due_date_unfinished_work_is_still_within_its_deadline() {
    assert_eq!(compute(&under_way(60), due()), WorkState::InProgress);
    assert_eq!(compute(&untouched(), due()), WorkState::NotStarted);
}

#[test]
fn a_submitted_report_starts_the_work_even_at_zero_progress() {
    assert_eq!(
        compute(&under_way(0), date(2025, 3, 1)),
        WorkState::InProgress
    );
}

#[test]
fn progress_above_zero_starts_the_work_even_without_the_flag() {
    let input = StateInput {
        progress: 10,
        started: false,
        ..untouched()
    };
    assert_eq!(compute(&input, date(2025, 3, 1)), WorkState::InProgress);
}

#[test]
fn untouched_work_within_its_deadline_is_not_started() {
    assert_eq!(
        compute(&untouched(), date(2025, 3, 1)),
        WorkState::NotStarted
    );
}

#[test]
fn work_with_no_due_date_is_never_overdue_and_done_is_on_time() {
    let far_future = date(2200, 1, 1);
    let ongoing = StateInput {
        due: None,
        ..under_way(50)
    };
    assert_eq!(compute(&ongoing, far_future), WorkState::InProgress);
    let not_started = StateInput::default();
    assert_eq!(compute(&not_started, far_future), WorkState::NotStarted);
    let done = StateInput {
        due: None,
        ..done_on(date(2199, 1, 1))
    };
    assert_eq!(compute(&done, far_future), WorkState::DoneOnTime);
}

#[test]
fn full_progress_without_an_acceptance_day_is_not_done() {
    let input = StateInput {
        done_on: None,
        ..done_on(due())
    };
    assert_eq!(compute(&input, date(2025, 6, 1)), WorkState::InProgress);
    assert_eq!(compute(&input, date(2025, 7, 1)), WorkState::OverdueNotDone);
}

#[test]
fn an_acceptance_day_left_over_after_progress_fell_is_not_done() {
    let reopened = StateInput {
        progress: 90,
        ..done_on(date(2025, 6, 1))
    };
    assert_eq!(compute(&reopened, date(2025, 6, 2)), WorkState::InProgress);
}

#[test]
fn progress_above_one_hundred_counts_as_done() {
    let input = StateInput {
        progress: 250,
        ..done_on(date(2025, 6, 1))
    };
    assert_eq!(compute(&input, date(2025, 6, 2)), WorkState::DoneOnTime);
}

#[test]
fn a_recurring_task_is_judged_per_period_against_that_periods_deadline() {
    // The Q2 2025 instance is due on its submission deadline, Monday 16 June.
    let q2_deadline = date(2025, 6, 16);
    let instance = StateInput {
        due: Some(q2_deadline),
        progress: 100,
        done_on: Some(date(2025, 6, 17)),
        started: true,
    };
    assert_eq!(compute(&instance, date(2025, 6, 20)), WorkState::DoneLate);
}

#[test]
fn working_states_count_as_not_done_within_deadline() {
    assert_eq!(
        WorkState::NotStarted.outcome(),
        Outcome::NotDoneWithinDeadline
    );
    assert_eq!(
        WorkState::InProgress.outcome(),
        Outcome::NotDoneWithinDeadline
    );
    assert_eq!(WorkState::DoneOnTime.outcome(), Outcome::DoneOnTime);
    assert_eq!(WorkState::DoneLate.outcome(), Outcome::DoneLate);
    assert_eq!(WorkState::OverdueNotDone.outcome(), Outcome::OverdueNotDone);
}

#[test]
fn states_and_outcomes_have_vietnamese_and_english_labels() {
    let states: Vec<_> = WorkState::ALL
        .iter()
        .map(|state| (state.label_vi(), state.label_en()))
        .collect();
    assert_eq!(
        states,
        [
            ("Chưa bắt đầu", "Not started"),
            ("Đang thực hiện", "In progress"),
            ("Hoàn thành đúng hạn", "Done on time"),
            ("Hoàn thành quá hạn", "Done late"),
            ("Quá hạn, chưa hoàn thành", "Overdue and not done"),
        ]
    );
    let outcomes: Vec<_> = Outcome::ALL
        .iter()
        .map(|outcome| (outcome.label_vi(), outcome.label_en()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("Hoàn thành đúng hạn", "Done on time"),
            ("Hoàn thành quá hạn", "Done late"),
            ("Chưa hoàn thành, trong hạn", "Not done, within deadline"),
            ("Quá hạn, chưa hoàn thành", "Overdue and not done"),
        ]
    );
}

#[test]
fn states_and_outcomes_serialise_as_snake_case_names() {
    let json = serde_json::to_string(&WorkState::ALL).expect("serialisable");
    assert_eq!(
        json,
        r#"["not_started","in_progress","done_on_time","done_late","overdue_not_done"]"#
    );
    let json = serde_json::to_string(&Outcome::NotDoneWithinDeadline).expect("serialisable");
    assert_eq!(json, r#""not_done_within_deadline""#);
    for state in WorkState::ALL {
        assert_eq!(state.to_string(), state.as_str());
        assert_eq!(state.as_str().parse(), Ok(state));
    }
}

// Counts.

#[test]
fn counts_are_built_from_the_states_of_the_work() {
    let counts: StateCounts = [
        WorkState::DoneOnTime,
        WorkState::DoneOnTime,
        WorkState::DoneLate,
        WorkState::InProgress,
        WorkState::NotStarted,
        WorkState::OverdueNotDone,
        WorkState::OverdueNotDone,
        WorkState::OverdueNotDone,
    ]
    .into_iter()
    .collect();
    assert_eq!(counts.get(WorkState::DoneOnTime), 2);
    assert_eq!(counts.get(WorkState::OverdueNotDone), 3);
    assert_eq!(counts.total(), 8);
    assert_eq!(counts.done(), 3);
    assert_eq!(counts.outcome(Outcome::NotDoneWithinDeadline), 2);
    assert_eq!(counts.outcome(Outcome::OverdueNotDone), 3);
    // 3 of 8 is 37.5%, which rounds half up.
    assert_eq!(counts.percent_done(), Some(38));
}

#[test]
fn counts_follow_work_as_it_changes_state() {
    let mut counts = StateCounts::new();
    counts.add(WorkState::NotStarted);
    counts.add(WorkState::NotStarted);
    assert!(counts.change(WorkState::NotStarted, WorkState::InProgress));
    assert!(counts.change(WorkState::InProgress, WorkState::DoneOnTime));
    assert_eq!(counts.get(WorkState::NotStarted), 1);
    assert_eq!(counts.get(WorkState::InProgress), 0);
    assert_eq!(counts.get(WorkState::DoneOnTime), 1);
    assert_eq!(counts.percent_done(), Some(50));
    assert!(counts.remove(WorkState::NotStarted));
    assert_eq!(counts.total(), 1);
    assert_eq!(counts.percent_done(), Some(100));
}

#[test]
fn removing_a_state_that_is_not_counted_changes_nothing_and_says_so() {
    let mut counts: StateCounts = [WorkState::InProgress].into_iter().collect();
    let before = counts;
    assert!(!counts.remove(WorkState::DoneLate));
    assert!(!counts.change(WorkState::DoneLate, WorkState::InProgress));
    assert_eq!(counts, before);
}

#[test]
fn percent_done_is_none_with_nothing_counted() {
    assert_eq!(StateCounts::new().percent_done(), None);
}

#[test]
fn percent_done_shows_100_only_when_everything_is_done_and_0_only_when_nothing_is() {
    let mut counts = StateCounts {
        done_on_time: 999,
        overdue_not_done: 1,
        ..StateCounts::default()
    };
    assert_eq!(counts.percent_done(), Some(99));
    counts = StateCounts {
        done_late: 1,
        in_progress: 999,
        ..StateCounts::default()
    };
    assert_eq!(counts.percent_done(), Some(1));
    counts = StateCounts {
        in_progress: 5,
        ..StateCounts::default()
    };
    assert_eq!(counts.percent_done(), Some(0));
    counts = StateCounts {
        done_on_time: 2,
        done_late: 3,
        ..StateCounts::default()
    };
    assert_eq!(counts.percent_done(), Some(100));
}

#[test]
fn counts_serialise_with_one_field_per_state() {
    let counts: StateCounts = [WorkState::DoneLate].into_iter().collect();
    assert_eq!(
        serde_json::to_string(&counts).expect("serialisable"),
        r#"{"not_started":0,"in_progress":0,"done_on_time":0,"done_late":1,"overdue_not_done":0}"#
    );
}

// Properties.

fn any_state() -> impl Strategy<Value = WorkState> {
    proptest::sample::select(WorkState::ALL.to_vec())
}

fn any_day() -> impl Strategy<Value = NaiveDate> {
    (0u64..20_000).prop_map(|offset| date(2000, 1, 1) + Days::new(offset))
}

fn any_input() -> impl Strategy<Value = StateInput> {
    (
        proptest::option::of(any_day()),
        prop_oneof![Just(0u8), Just(100u8), any::<u8>()],
        proptest::option::of(any_day()),
        any::<bool>(),
    )
        .prop_map(|(due, progress, done_on, started)| StateInput {
            due,
            progress,
            done_on,
            started,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn work_is_done_exactly_when_it_reached_100_and_was_accepted(input in any_input(), today in any_day()) {
        let state = compute(&input, today);
        prop_assert_eq!(state.is_done(), input.progress >= 100 && input.done_on.is_some());
        if state == WorkState::OverdueNotDone {
            prop_assert!(input.due.is_some_and(|due| due < today));
        }
        if state == WorkState::NotStarted {
            prop_assert!(!input.started && input.progress == 0);
        }
    }

    #[test]
    fn unfinished_work_only_ever_becomes_overdue_as_days_pass(input in any_input(), today in any_day(), days in 0u64..1000) {
        let later = today + Days::new(days);
        let (now, then) = (compute(&input, today), compute(&input, later));
        if now == WorkState::OverdueNotDone || now.is_done() {
            prop_assert_eq!(now, then);
        }
    }

    #[test]
    fn adding_then_removing_restores_the_counts(
        initial in proptest::collection::vec(any_state(), 0..50),
        extra in proptest::collection::vec(any_state(), 0..50),
    ) {
        let before: StateCounts = initial.iter().copied().collect();
        let mut counts = before;
        counts.extend(extra.iter().copied());
        prop_assert_eq!(counts.total(), (initial.len() + extra.len()) as u64);
        for state in extra.iter().rev() {
            prop_assert!(counts.remove(*state));
        }
        prop_assert_eq!(counts, before);
        let outcomes: u64 = Outcome::ALL.iter().map(|outcome| counts.outcome(*outcome)).sum();
        prop_assert_eq!(outcomes, counts.total());
    }
}
