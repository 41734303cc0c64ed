//! Progress rolling up the cascade: average and weighted means, weights of 0, no children,
//! rounding, and a person's override of the computed figure.

use dongbo_domain::rollup::roll_up;
use dongbo_domain::{Child, ManualOverride, Rolled, RollupError, RollupRule};
use proptest::prelude::*;

fn children(progress: &[u8]) -> Vec<Child> {
    progress.iter().map(|p| Child::new(*p)).collect()
}

#[test]
fn the_default_rule_is_weighted() {
    assert_eq!(RollupRule::default(), RollupRule::Weighted);
}

#[test]
fn with_no_weights_set_both_rules_give_the_plain_mean() {
    let three = children(&[20, 50, 80]);
    assert_eq!(roll_up(RollupRule::Average, &three), Some(50));
    assert_eq!(roll_up(RollupRule::Weighted, &three), Some(50));
}

#[test]
fn weighted_counts_each_child_by_its_weight_and_average_does_not() {
    // A province's plan task of weight 3 at 100% and one of weight 1 at 0%.
    let children = [Child::weighted(100, 3), Child::weighted(0, 1)];
    assert_eq!(roll_up(RollupRule::Weighted, &children), Some(75));
    assert_eq!(roll_up(RollupRule::Average, &children), Some(50));
}

#[test]
fn children_of_weight_zero_are_left_out_under_both_rules() {
    let children = [
        Child::weighted(40, 1),
        Child::weighted(100, 0),
        Child::weighted(60, 1),
    ];
    assert_eq!(roll_up(RollupRule::Weighted, &children), Some(50));
    assert_eq!(roll_up(RollupRule::Average, &children), Some(50));
}

#[test]
fn no_counted_children_means_no_computed_progress() {
    assert_eq!(roll_up(RollupRule::Weighted, &[]), None);
    assert_eq!(roll_up(RollupRule::Average, &[]), None);
    let all_excluded = [Child::weighted(80, 0), Child::weighted(20, 0)];
    assert_eq!(roll_up(RollupRule::Weighted, &all_excluded), None);
    assert_eq!(roll_up(RollupRule::Average, &all_excluded), None);
}

#[test]
fn a_single_child_passes_its_progress_up() {
    for progress in [0, 1, 37, 99, 100] {
        assert_eq!(
            roll_up(RollupRule::Weighted, &[Child::weighted(progress, 7)]),
            Some(progress)
        );
    }
}

#[test]
fn halves_round_up() {
    // 62.5 → 63; 12.5 → 13.
    assert_eq!(roll_up(RollupRule::Average, &children(&[50, 75])), Some(63));
    assert_eq!(roll_up(RollupRule::Average, &children(&[0, 25])), Some(13));
    // 33.33… → 33; 66.66… → 67.
    assert_eq!(
        roll_up(RollupRule::Average, &children(&[100, 0, 0])),
        Some(33)
    );
    assert_eq!(
        roll_up(RollupRule::Average, &children(&[100, 100, 0])),
        Some(67)
    );
    // (10×1 + 15×2) / 3 = 13.33… → 13.
    let weighted = [Child::weighted(10, 1), Child::weighted(15, 2)];
    assert_eq!(roll_up(RollupRule::Weighted, &weighted), Some(13));
}

#[test]
fn a_parent_never_reads_done_while_a_child_is_not() {
    // 99.5 would round to 100.
    assert_eq!(
        roll_up(RollupRule::Average, &children(&[100, 99])),
        Some(99)
    );
    assert_eq!(
        roll_up(RollupRule::Average, &children(&[100, 100])),
        Some(100)
    );
}

#[test]
fn a_parent_never_reads_zero_while_a_child_has_made_progress() {
    // 0.5 → 1 anyway, and 1/3 % stays 1 rather than rounding to 0.
    assert_eq!(roll_up(RollupRule::Average, &children(&[1, 0])), Some(1));
    assert_eq!(roll_up(RollupRule::Average, &children(&[1, 0, 0])), Some(1));
    assert_eq!(roll_up(RollupRule::Average, &children(&[0, 0])), Some(0));
}

#[test]
fn progress_above_one_hundred_counts_as_one_hundred() {
    assert_eq!(roll_up(RollupRule::Average, &children(&[200, 0])), Some(50));
    assert_eq!(roll_up(RollupRule::Weighted, &children(&[255])), Some(100));
}

#[test]
fn a_child_without_a_weight_in_json_weighs_one() {
    let child: Child = serde_json::from_str(r#"{"progress":40}"#).expect("a valid child");
    assert_eq!(child, Child::weighted(40, 1));
}

#[test]
fn rules_read_back_from_their_names() {
    for rule in RollupRule::ALL {
        assert_eq!(rule.as_str().parse(), Ok(rule));
        assert_eq!(rule.to_string(), rule.as_str());
    }
    assert_eq!(
        "median".parse::<RollupRule>(),
        Err(RollupError::UnknownRule("median".to_owned()))
    );
    assert_eq!(
        serde_json::to_string(&RollupRule::Weighted).expect("serialisable"),
        r#""weighted""#
    );
}

// Overrides.

fn override_to(progress: u8) -> ManualOverride {
    ManualOverride::new(
        progress,
        "vpcp.tonghop",
        "Báo cáo của Bộ Ngoại giao gửi bằng văn bản",
    )
    .expect("a valid override")
}

#[test]
fn the_computed_figure_stands_when_nobody_overrides_it() {
    let rolled = Rolled::compute(RollupRule::Weighted, &children(&[40, 60]));
    assert_eq!(rolled.computed, Some(50));
    assert_eq!(rolled.effective(), Some(50));
    assert!(!rolled.is_overridden());
}

#[test]
fn a_manual_override_wins_and_shows_as_one() {
    let rolled = Rolled {
        manual: Some(override_to(70)),
        ..Rolled::compute(RollupRule::Weighted, &children(&[40, 60]))
    };
    assert_eq!(rolled.computed, Some(50));
    assert_eq!(rolled.effective(), Some(70));
    assert!(rolled.is_overridden());
}

#[test]
fn a_manual_override_gives_a_figure_where_no_child_reports() {
    let rolled = Rolled {
        computed: None,
        manual: Some(override_to(0)),
    };
    assert_eq!(rolled.effective(), Some(0));
    assert_eq!(Rolled::default().effective(), None);
}

#[test]
fn an_override_must_be_a_percentage_and_say_who_and_why() {
    assert_eq!(
        ManualOverride::new(101, "a", "b"),
        Err(RollupError::ProgressOutOfRange(101))
    );
    assert_eq!(
        ManualOverride::new(50, "  ", "b"),
        Err(RollupError::MissingAuthor)
    );
    assert_eq!(
        ManualOverride::new(50, "a", "\n"),
        Err(RollupError::MissingReason)
    );
    let manual = ManualOverride::new(50, " an ", " đã kiểm tra ").expect("a valid override");
    assert_eq!(
        (manual.progress(), manual.by(), manual.reason()),
        (50, "an", "đã kiểm tra")
    );
}

#[test]
fn an_override_is_checked_when_read_from_json() {
    let manual = override_to(70);
    let json = serde_json::to_string(&manual).expect("serialisable");
    assert_eq!(
        serde_json::from_str::<ManualOverride>(&json).expect("what was written reads back"),
        manual
    );
    assert!(
        serde_json::from_str::<ManualOverride>(r#"{"progress":120,"by":"a","reason":"b"}"#)
            .is_err()
    );
    assert!(
        serde_json::from_str::<ManualOverride>(r#"{"progress":20,"by":"a","reason":""}"#).is_err()
    );
}

// Properties.

fn any_children() -> impl Strategy<Value = Vec<Child>> {
    proptest::collection::vec(
        (0u8..=100, prop_oneof![Just(0u32), Just(1u32), 0u32..1000]),
        0..30,
    )
    .prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(progress, weight)| Child::weighted(progress, weight))
            .collect()
    })
}

fn any_rule() -> impl Strategy<Value = RollupRule> {
    proptest::sample::select(RollupRule::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_roll_up_lies_between_its_least_and_most_advanced_child(children in any_children(), rule in any_rule()) {
        let counted: Vec<u8> = children.iter().filter(|c| c.weight > 0).map(|c| c.progress).collect();
        let rolled = roll_up(rule, &children);
        match (counted.iter().min(), counted.iter().max()) {
            (Some(least), Some(most)) => {
                let rolled = rolled.expect("a counted child gives a figure");
                prop_assert!(*least <= rolled && rolled <= *most);
                prop_assert_eq!(rolled == 100, *least == 100);
                prop_assert_eq!(rolled == 0, *most == 0);
            }
            _ => prop_assert_eq!(rolled, None),
        }
    }

    #[test]
    fn the_order_of_children_does_not_matter(mut children in any_children(), rule in any_rule()) {
        let forward = roll_up(rule, &children);
        children.reverse();
        prop_assert_eq!(roll_up(rule, &children), forward);
    }

    #[test]
    fn scaling_every_weight_alike_changes_nothing(children in any_children(), factor in 1u32..50) {
        let scaled: Vec<Child> = children
            .iter()
            .map(|c| Child::weighted(c.progress, c.weight * factor))
            .collect();
        prop_assert_eq!(roll_up(RollupRule::Weighted, &scaled), roll_up(RollupRule::Weighted, &children));
    }
}
