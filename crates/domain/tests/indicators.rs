//! Target expressions as appendices write them, and what values achieve against them.

use dongbo_domain::IndicatorValue as Value;
use dongbo_domain::indicator::{
    Comparison, Goal, Measure, TargetErrorKind, Verdict, number, parse_number,
};
use dongbo_domain::{Achievement, Direction, Judgement, Target, TargetError};
use proptest::prelude::*;

fn goal(text: &str) -> Goal {
    match Target::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}")) {
        Target::Quantitative(goals) if goals.len() == 1 => goals[0].clone(),
        other => panic!("{text:?} gave {other:?}"),
    }
}

fn error(text: &str) -> TargetError {
    Target::parse(text).expect_err(text)
}

fn measure(target: &str, direction: Direction, value: f64) -> Measure {
    match Target::parse(target).unwrap().assess(
        direction,
        None,
        Some(&Value::Number(value)),
        None,
        None,
    ) {
        Achievement::Measured(measure) => measure,
        other => panic!("{target:?} / {value}: {other:?}"),
    }
}

fn close(actual: Option<f64>, expected: f64) -> bool {
    actual.is_some_and(|a| (a - expected).abs() < 1e-6)
}

#[test]
fn comparison_signs_in_unicode_and_ascii_are_read() {
    let cases = [
        ("≥ 80", Comparison::AtLeast, 80.0),
        (">= 30", Comparison::AtLeast, 30.0),
        (">=30", Comparison::AtLeast, 30.0),
        ("> 0,7", Comparison::MoreThan, 0.7),
        ("≤ 3", Comparison::AtMost, 3.0),
        ("<= 3", Comparison::AtMost, 3.0),
        ("< 5", Comparison::LessThan, 5.0),
        ("= 100", Comparison::Equal, 100.0),
        ("  ≥   80  ", Comparison::AtLeast, 80.0),
    ];
    for (text, comparison, value) in cases {
        let goal = goal(text);
        assert_eq!(goal.comparison, comparison, "{text}");
        assert_eq!(goal.value, value, "{text}");
        assert_eq!(goal.scope, None, "{text}");
        assert!(!goal.percent, "{text}");
    }
}

#[test]
fn ranges_with_hyphen_or_en_dash_keep_both_bounds() {
    for text in ["40 - 50", "40–50", "40 – 50", "40-50"] {
        let goal = goal(text);
        assert_eq!(goal.comparison, Comparison::Between, "{text}");
        assert_eq!((goal.value, goal.upper), (40.0, Some(50.0)), "{text}");
    }
    let percent = goal("40% - 50%");
    assert!(percent.percent);
}

#[test]
fn percent_unit_is_kept() {
    let goal = goal("100%");
    assert_eq!(goal.comparison, Comparison::Reach);
    assert_eq!(goal.value, 100.0);
    assert!(goal.percent);
    assert!(self::goal("≥ 80 %").percent);
}

#[test]
fn several_targets_against_named_scopes() {
    let Target::Quantitative(goals) = Target::parse("≤ 3 Đông Nam Á; ≤ 50 Thế giới").unwrap()
    else {
        panic!("not quantitative");
    };
    assert_eq!(goals.len(), 2);
    assert_eq!(goals[0].scope.as_deref(), Some("Đông Nam Á"));
    assert_eq!(
        (goals[0].comparison, goals[0].value),
        (Comparison::AtMost, 3.0)
    );
    assert_eq!(goals[1].scope.as_deref(), Some("Thế giới"));
    assert_eq!(goals[1].value, 50.0);
    // A scope may also come first.
    let before = goal("Thế giới: ≤ 50");
    assert_eq!(before.scope.as_deref(), Some("Thế giới"));
    assert_eq!(before.value, 50.0);
}

#[test]
fn plain_numbers_with_leading_zeros_are_numbers() {
    let goal = goal("09");
    assert_eq!((goal.comparison, goal.value), (Comparison::Reach, 9.0));
    assert_eq!(self::goal("≥ 09").value, 9.0);
}

#[test]
fn dots_separate_thousands_and_the_comma_is_decimal() {
    assert_eq!(parse_number("1.000"), Some(1000.0));
    assert_eq!(parse_number("1.234.567"), Some(1_234_567.0));
    assert_eq!(parse_number("1.234,5"), Some(1234.5));
    assert_eq!(parse_number("0,7"), Some(0.7));
    // A dot that cannot separate thousands is a decimal point (English documents).
    assert_eq!(parse_number("0.7"), Some(0.7));
    assert_eq!(parse_number("2.5"), Some(2.5));
    assert_eq!(parse_number("09"), Some(9.0));
    assert_eq!(parse_number("1.2.3"), None);
    assert_eq!(parse_number("1,2,3"), None);
    assert_eq!(parse_number("abc"), None);
    assert_eq!(goal("≥ 1.000").value, 1000.0);
    assert_eq!(number(0.7), "0,7");
    assert_eq!(number(1000.0), "1000");
}

#[test]
fn text_that_is_not_a_comparison_is_qualitative() {
    let target = Target::parse("Hoàn thành xây dựng  Cổng thông tin đối ngoại").unwrap();
    assert_eq!(
        target,
        Target::Qualitative("Hoàn thành xây dựng Cổng thông tin đối ngoại".into())
    );
    assert!(target.goals().is_empty());
}

#[test]
fn input_is_nfc_normalised() {
    let decomposed = "≤ 3 \u{0110}o\u{302}\u{301}ng Nam A\u{301}";
    let goal = goal(decomposed);
    assert_eq!(goal.scope.as_deref(), Some("Đống Nam Á"));
}

#[test]
fn nonsense_gives_an_error_that_says_what_and_where() {
    let e = error(">= abc");
    assert_eq!(e.at, 4);
    assert_eq!(
        e.kind,
        TargetErrorKind::ExpectedNumber {
            after: ">=".into(),
            found: "«abc»".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "character 4: expected a number after «>=», found «abc»"
    );

    let e = error("≥");
    assert_eq!(
        e.kind,
        TargetErrorKind::ExpectedNumber {
            after: "≥".into(),
            found: "nothing".into()
        }
    );
    assert_eq!(e.at, 2);

    let e = error("40 - ");
    assert_eq!(
        e.kind,
        TargetErrorKind::RangeWithoutEnd { low: "40".into() }
    );
    assert_eq!(e.at, 6);

    let e = error("50 - 40");
    assert!(
        matches!(e.kind, TargetErrorKind::RangeBackwards { .. }),
        "{e}"
    );

    assert_eq!(error("").kind, TargetErrorKind::Empty);
    assert_eq!(error("   ").kind, TargetErrorKind::Empty);

    let e = error("≤ 3 Đông Nam Á;");
    assert_eq!(e.kind, TargetErrorKind::EmptyPart { part: 2 });

    let e = error("≤ 3 Đông Nam Á; hàng đầu");
    assert_eq!(
        e.kind,
        TargetErrorKind::NotAComparison {
            part: 2,
            text: "hàng đầu".into()
        }
    );
    assert_eq!(e.at, 17);

    let e = error("≥ 1.2.3");
    assert_eq!(e.kind, TargetErrorKind::BadNumber("1.2.3".into()));
}

#[test]
fn at_least_is_met_from_the_target_up() {
    let m = measure("≥ 80", Direction::HigherIsBetter, 60.0);
    assert!(!m.met);
    assert!(close(m.percent, 75.0));
    assert_eq!(m.distance, 20.0);
    let m = measure("≥ 80", Direction::HigherIsBetter, 80.0);
    assert!(m.met);
    assert_eq!(m.distance, 0.0);
}

#[test]
fn more_than_is_not_met_by_the_bound_itself() {
    assert!(!measure("> 0,7", Direction::HigherIsBetter, 0.7).met);
    assert!(measure("> 0,7", Direction::HigherIsBetter, 0.71).met);
}

#[test]
fn at_most_and_less_than_are_lower_is_better() {
    let m = measure("≤ 3", Direction::LowerIsBetter, 4.0);
    assert!(!m.met);
    assert!(close(m.percent, 75.0));
    assert_eq!(m.distance, 1.0);
    assert!(measure("≤ 3", Direction::LowerIsBetter, 3.0).met);
    assert!(!measure("< 5", Direction::LowerIsBetter, 5.0).met);
    assert!(measure("< 5", Direction::LowerIsBetter, 4.0).met);
}

#[test]
fn ranges_are_met_inside_and_measured_to_the_nearer_bound() {
    assert!(measure("40 - 50", Direction::HigherIsBetter, 45.0).met);
    assert!(measure("40 - 50", Direction::HigherIsBetter, 40.0).met);
    let below = measure("40 - 50", Direction::HigherIsBetter, 30.0);
    assert!(!below.met);
    assert_eq!(below.distance, 10.0);
    assert!(close(below.percent, 75.0));
    let above = measure("40 - 50", Direction::HigherIsBetter, 60.0);
    assert!(!above.met);
    assert_eq!(above.distance, 10.0);
}

#[test]
fn equal_is_met_only_at_the_number() {
    assert!(measure("= 100", Direction::HigherIsBetter, 100.0).met);
    assert!(!measure("= 100", Direction::HigherIsBetter, 99.0).met);
}

#[test]
fn a_plain_number_is_reached_in_the_indicators_direction() {
    // "09" foreign-language channels: more is better.
    assert!(measure("09", Direction::HigherIsBetter, 10.0).met);
    assert!(!measure("09", Direction::HigherIsBetter, 8.0).met);
    // A rank of "40": lower is better.
    assert!(measure("40", Direction::LowerIsBetter, 35.0).met);
    assert!(!measure("40", Direction::LowerIsBetter, 45.0).met);
    // "100%" of ministries.
    let m = measure("100%", Direction::HigherIsBetter, 95.0);
    assert!(!m.met);
    assert!(close(m.percent, 95.0));
}

#[test]
fn a_ranking_ratio_is_target_over_value() {
    // Rank 50 against "≤ 40" reaches 80% of the target.
    let m = measure("≤ 40", Direction::LowerIsBetter, 50.0);
    assert!(!m.met);
    assert!(close(m.percent, 80.0));
    assert_eq!(m.distance, 10.0);
}

#[test]
fn scoped_targets_measure_each_value_against_its_scope() {
    let target = Target::parse("≤ 3 Đông Nam Á; ≤ 50 Thế giới").unwrap();
    let asean = target.assess(
        Direction::LowerIsBetter,
        Some("đông nam á"),
        Some(&Value::Number(4.0)),
        None,
        None,
    );
    assert_eq!(asean.met(), Some(false));
    let world = target.assess(
        Direction::LowerIsBetter,
        Some("Thế giới"),
        Some(&Value::Number(45.0)),
        None,
        None,
    );
    assert_eq!(world.met(), Some(true));
    // Without a scope, a value cannot say which goal it measures.
    let none = target.assess(
        Direction::LowerIsBetter,
        None,
        Some(&Value::Number(1.0)),
        None,
        None,
    );
    assert_eq!(none, Achievement::Pending);

    let (three, forty) = (Value::Number(3.0), Value::Number(45.0));
    let only_world = [(Some("Thế giới"), &forty, None)];
    assert_eq!(
        target.verdict(Direction::LowerIsBetter, &only_world, None),
        Verdict::Pending
    );
    let both = [
        (Some("Thế giới"), &forty, None),
        (Some("Đông Nam Á"), &three, None),
    ];
    assert_eq!(
        target.verdict(Direction::LowerIsBetter, &both, None),
        Verdict::Met
    );
    let worse = Value::Number(5.0);
    let later_worse = [
        (Some("Thế giới"), &forty, None),
        (Some("Đông Nam Á"), &three, None),
        (Some("Đông Nam Á"), &worse, None),
    ];
    assert_eq!(
        target.verdict(Direction::LowerIsBetter, &later_worse, None),
        Verdict::NotMet
    );
}

#[test]
fn no_value_is_pending() {
    let target = Target::parse("≥ 80").unwrap();
    assert_eq!(
        target.assess(Direction::HigherIsBetter, None, None, None, None),
        Achievement::Pending
    );
    assert_eq!(
        target.verdict(Direction::HigherIsBetter, &[], None),
        Verdict::Pending
    );
}

#[test]
fn qualitative_targets_wait_for_a_persons_judgement() {
    let target = Target::parse("Hoàn thành đề án").unwrap();
    let text = Value::Text("Đã trình Thủ tướng".into());
    assert_eq!(
        target.assess(Direction::Qualitative, None, Some(&text), None, None),
        Achievement::NeedsJudgement
    );
    assert_eq!(
        target.assess(
            Direction::Qualitative,
            None,
            Some(&text),
            None,
            Some(Judgement::Achieved)
        ),
        Achievement::Judged { met: true }
    );
    assert_eq!(
        target.verdict(Direction::Qualitative, &[(None, &text, None)], None),
        Verdict::NeedsJudgement
    );
    assert_eq!(
        target.verdict(
            Direction::Qualitative,
            &[(None, &text, Some(Judgement::NotAchieved))],
            None
        ),
        Verdict::NotMet
    );
}

#[test]
fn baseline_progress_runs_from_baseline_to_target() {
    let target = Target::parse("≥ 80").unwrap();
    let Achievement::Measured(m) = target.assess(
        Direction::HigherIsBetter,
        None,
        Some(&Value::Number(60.0)),
        Some(40.0),
        None,
    ) else {
        panic!("not measured");
    };
    assert!(close(m.progress, 50.0));
    // A rank from 70 to a target of 40: reaching 55 is half way.
    let ranking = Target::parse("≤ 40").unwrap();
    let Achievement::Measured(m) = ranking.assess(
        Direction::LowerIsBetter,
        None,
        Some(&Value::Number(55.0)),
        Some(70.0),
        None,
    ) else {
        panic!("not measured");
    };
    assert!(close(m.progress, 50.0));
    assert_eq!(m.percent.map(|p| p.round()), Some(73.0));
    // No baseline, no progress.
    assert_eq!(
        measure("≥ 80", Direction::HigherIsBetter, 60.0).progress,
        None
    );
}

#[test]
fn typed_values_read_numbers_the_vietnamese_way() {
    assert_eq!(Value::parse(" 0,7 "), Some(Value::Number(0.7)));
    assert_eq!(Value::parse("95%"), Some(Value::Number(95.0)));
    assert_eq!(Value::parse("1.000"), Some(Value::Number(1000.0)));
    assert_eq!(Value::parse("-2"), Some(Value::Number(-2.0)));
    assert_eq!(Value::parse("− 2,5 %"), Some(Value::Number(-2.5)));
    assert_eq!(Value::parse("-"), Some(Value::Text("-".into())));
    assert_eq!(
        Value::parse("Đã hoàn thành"),
        Some(Value::Text("Đã hoàn thành".into()))
    );
    assert_eq!(Value::parse("  "), None);
}

#[test]
fn targets_display_as_normalised_text() {
    assert_eq!(Target::parse(">=30").unwrap().to_string(), "≥ 30");
    assert_eq!(Target::parse("40–50").unwrap().to_string(), "40–50");
    assert_eq!(
        Target::parse("<=3 Đông Nam Á;<= 50 Thế giới")
            .unwrap()
            .to_string(),
        "≤ 3 Đông Nam Á; ≤ 50 Thế giới"
    );
}

proptest! {
    #[test]
    fn the_parser_never_panics(text in "\\PC{0,40}") {
        let _ = Target::parse(&text);
    }

    #[test]
    fn the_parser_never_panics_on_target_like_text(
        pieces in proptest::collection::vec(
            prop_oneof![
                Just("≥"), Just("≤"), Just(">="), Just("<"), Just("="), Just("-"), Just("–"),
                Just(";"), Just("%"), Just(","), Just("."), Just(" "), Just("Đông Nam Á"),
                Just("0"), Just("09"), Just("1.000"), Just("0,7"), Just(":"),
            ],
            0..12,
        )
    ) {
        let text = pieces.concat();
        if let Ok(Target::Quantitative(goals)) = Target::parse(&text) {
            prop_assert!(!goals.is_empty());
            prop_assert!(goals.iter().all(|g| g.value.is_finite()));
        }
    }
}

#[test]
fn targets_and_achievements_serialise_for_the_api() {
    let target = Target::parse("≤ 3 Đông Nam Á; ≤ 50 Thế giới").unwrap();
    let json = serde_json::to_value(&target).unwrap();
    assert_eq!(json["kind"], "quantitative");
    assert_eq!(json["value"][0]["comparison"], "at_most");
    assert_eq!(json["value"][1]["scope"], "Thế giới");
    let back: Target = serde_json::from_value(json).unwrap();
    assert_eq!(back, target);
    let qualitative = serde_json::to_value(Target::parse("Hoàn thành").unwrap()).unwrap();
    assert_eq!(qualitative["kind"], "qualitative");
    let measured = serde_json::to_value(measure("≥ 80", Direction::HigherIsBetter, 60.0)).unwrap();
    assert_eq!(measured["met"], false);
    let achievement = serde_json::to_value(Achievement::Measured(measure(
        "≥ 80",
        Direction::HigherIsBetter,
        60.0,
    )))
    .unwrap();
    assert_eq!(achievement["kind"], "measured");
    assert_eq!(achievement["distance"], 20.0);
}

#[test]
fn a_single_goal_is_measured_whatever_scope_the_value_names() {
    let target = Target::parse("≥ 80% số bộ, ngành").unwrap();
    assert_eq!(target.scopes(), ["số bộ, ngành"]);
    let achievement = target.assess(
        Direction::HigherIsBetter,
        None,
        Some(&Value::Number(85.0)),
        None,
        None,
    );
    assert_eq!(achievement.met(), Some(true));
    assert!(target.goal_for(Some("")).is_some());
    // Several goals: an unknown scope measures none.
    let scoped = Target::parse("≤ 3 Đông Nam Á; ≤ 50 Thế giới").unwrap();
    assert!(scoped.goal_for(Some("Châu Phi")).is_none());
    assert!(scoped.goal_for(None).is_none());
}
