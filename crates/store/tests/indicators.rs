//! Indicators and their values on 47/NQ-CP, on SQLite and on PostgreSQL.

use dongbo_domain::indicator::{Judgement, Value, Verdict, value_period};
use dongbo_domain::{Direction, Directory, Indicator, YearTarget};
use dongbo_store::indicators::{self, NewValue, UpsertOutcome};
use dongbo_store::{AuditFilter, Db, StoreError, audit};

dongbo_testkit::backend_tests!(
    importing_the_same_indicators_twice_changes_nothing,
    a_changed_indicator_is_updated_and_audited,
    values_form_a_series_ordered_by_period_and_keep_corrections,
    scoped_values_must_name_a_scope_of_the_target,
    qualitative_values_carry_a_judgement,
    a_value_for_an_unknown_indicator_is_refused,
    the_latest_values_read_for_a_list_agree_with_the_whole_series,
    targets_by_year_and_an_unconfirmed_direction_round_trip,
    a_confirmed_direction_is_audited_judges_values_and_survives_a_reimport,
);

fn indicator(code: &str, name: &str, target: &str, baseline: Option<f64>) -> Indicator {
    with_targets(code, name, "%", &[(Some(2030), target)], baseline)
}

fn with_targets(
    code: &str,
    name: &str,
    unit: &str,
    targets: &[(Option<i32>, &str)],
    baseline: Option<f64>,
) -> Indicator {
    let targets: Vec<YearTarget> = targets
        .iter()
        .map(|(year, text)| YearTarget::parse(*year, text).unwrap())
        .collect();
    let inferred = Direction::infer(name, unit, &targets);
    Indicator {
        code: code.into(),
        parent: Indicator::parent_code(code),
        name: name.into(),
        unit: unit.into(),
        direction: inferred.direction,
        direction_confirmed: inferred.confirmed,
        baseline,
        baseline_year: baseline.map(|_| 2023),
        targets,
        tracking_agency: Some("BTTTT".into()),
        tracking_text: "Bộ Thông tin và Truyền thông".into(),
        source: String::new(),
    }
}

fn appendix() -> Vec<Indicator> {
    vec![
        indicator(
            "1",
            "Tỷ lệ bộ, ngành có kế hoạch thông tin đối ngoại",
            "100%",
            Some(60.0),
        ),
        indicator("2", "Số kênh truyền hình đối ngoại", "≥ 09", None),
        indicator(
            "3",
            "Thứ hạng thương hiệu quốc gia",
            "≤ 3 Đông Nam Á; ≤ 50 Thế giới",
            None,
        ),
        indicator("3.1", "Xếp hạng tự do báo chí", "≤ 0,7", None),
        indicator("4", "Hình ảnh quốc gia", "Nâng cao vị thế", None),
    ]
}

async fn setup(db: &Db) -> i64 {
    dongbo_testkit::load_47(db, &Directory::bundled()).await
}

fn value(agency: &str, period: &str, value: Value) -> NewValue {
    NewValue {
        agency_code: agency.into(),
        period: value_period(period).unwrap(),
        scope: None,
        value,
        judgement: None,
        source: "Báo cáo năm".into(),
        note: String::new(),
        author: "reporter".into(),
    }
}

async fn audit_actions(db: &Db, entity: &str) -> Vec<String> {
    audit::list(
        db,
        &AuditFilter {
            entity: Some(entity.into()),
            ..AuditFilter::default()
        },
        100,
        0,
    )
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.action)
    .collect()
}

async fn importing_the_same_indicators_twice_changes_nothing(db: &Db) {
    let program = setup(db).await;
    let first = indicators::upsert(db, program, &appendix(), "cli")
        .await
        .unwrap();
    assert_eq!(
        first,
        UpsertOutcome {
            added: 5,
            changed: 0,
            unchanged: 0
        }
    );
    let second = indicators::upsert(db, program, &appendix(), "cli")
        .await
        .unwrap();
    assert_eq!(
        second,
        UpsertOutcome {
            added: 0,
            changed: 0,
            unchanged: 5
        }
    );
    let stored = indicators::for_program(db, program).await.unwrap();
    let codes: Vec<&str> = stored
        .iter()
        .map(|s| s.stored.indicator.code.as_str())
        .collect();
    assert_eq!(codes, ["1", "2", "3", "3.1", "4"]);
    assert_eq!(stored[3].stored.indicator.parent.as_deref(), Some("3"));
    assert_eq!(stored[0].stored.indicator, appendix()[0]);
    assert_eq!(
        stored[2].stored.indicator.direction,
        Direction::LowerIsBetter
    );
    assert_eq!(audit_actions(db, "indicator").await.len(), 5);
}

async fn a_changed_indicator_is_updated_and_audited(db: &Db) {
    let program = setup(db).await;
    indicators::upsert(db, program, &appendix(), "cli")
        .await
        .unwrap();
    let mut changed = appendix();
    changed[1] = indicator("2", "Số kênh truyền hình đối ngoại", "≥ 10", None);
    let outcome = indicators::upsert(db, program, &changed, "admin")
        .await
        .unwrap();
    assert_eq!((outcome.changed, outcome.unchanged), (1, 4));
    let two = indicators::get(db, program, "2").await.unwrap().unwrap();
    assert_eq!(two.stored.indicator.targets[0].text, "≥ 10");
    let records = audit::list(
        db,
        &AuditFilter {
            action: Some("indicator.update".into()),
            ..AuditFilter::default()
        },
        10,
        0,
    )
    .await
    .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].actor, "admin");
    assert!(records[0].before_json.as_deref().unwrap().contains("≥ 09"));
    assert!(audit::verify(db).await.unwrap().is_intact());
}

async fn values_form_a_series_ordered_by_period_and_keep_corrections(db: &Db) {
    let program = setup(db).await;
    indicators::upsert(db, program, &appendix(), "cli")
        .await
        .unwrap();
    // Recorded out of order: 2026 first, then 2025, then a correction of 2026.
    for (period, number) in [("2026", 85.0), ("2025", 70.0), ("2026", 100.0)] {
        indicators::record_value(
            db,
            program,
            "1",
            &value("BTTTT", period, Value::Number(number)),
        )
        .await
        .unwrap();
    }
    let series = indicators::get(db, program, "1").await.unwrap().unwrap();
    let values: Vec<(String, f64)> = series
        .values
        .iter()
        .map(|v| (v.period.code(), v.value.as_number().unwrap()))
        .collect();
    assert_eq!(
        values,
        [
            ("2025-Y".to_owned(), 70.0),
            ("2026-Y".to_owned(), 85.0),
            ("2026-Y".to_owned(), 100.0)
        ]
    );
    assert_eq!(series.latest().latest.len(), 1);
    assert_eq!(series.latest().latest[0].value, Value::Number(100.0));
    assert_eq!(series.verdict(), Verdict::Met);
    assert_eq!(series.values[0].author, "reporter");
    assert_eq!(series.values[0].source, "Báo cáo năm");
    assert_eq!(audit_actions(db, "indicator_value").await.len(), 3);

    // A decimal survives the round trip exactly.
    indicators::record_value(
        db,
        program,
        "3.1",
        &value("BTTTT", "2025-Q2", Value::Number(0.7)),
    )
    .await
    .unwrap();
    let ranking = indicators::get(db, program, "3.1").await.unwrap().unwrap();
    assert_eq!(ranking.values[0].value, Value::Number(0.7));
    assert_eq!(ranking.verdict(), Verdict::Met);
}

async fn scoped_values_must_name_a_scope_of_the_target(db: &Db) {
    let program = setup(db).await;
    indicators::upsert(db, program, &appendix(), "cli")
        .await
        .unwrap();
    let mut asean = value("BNG", "2025", Value::Number(4.0));
    asean.scope = Some("đông nam á".into());
    indicators::record_value(db, program, "3", &asean)
        .await
        .unwrap();
    let series = indicators::get(db, program, "3").await.unwrap().unwrap();
    // Stored under the scope as the target writes it.
    assert_eq!(series.values[0].scope.as_deref(), Some("Đông Nam Á"));
    assert_eq!(series.verdict(), Verdict::NotMet);

    let mut nowhere = value("BNG", "2025", Value::Number(4.0));
    nowhere.scope = Some("Châu Phi".into());
    let refused = indicators::record_value(db, program, "3", &nowhere).await;
    assert!(
        matches!(&refused, Err(StoreError::Invalid(m)) if m.contains("Đông Nam Á")),
        "{refused:?}"
    );
    let unscoped =
        indicators::record_value(db, program, "3", &value("BNG", "2025", Value::Number(1.0))).await;
    assert!(
        matches!(unscoped, Err(StoreError::Invalid(_))),
        "{unscoped:?}"
    );
    let series = indicators::get(db, program, "3").await.unwrap().unwrap();
    assert_eq!(series.values.len(), 1);
}

async fn qualitative_values_carry_a_judgement(db: &Db) {
    let program = setup(db).await;
    indicators::upsert(db, program, &appendix(), "cli")
        .await
        .unwrap();
    let mut text = value("BNG", "2025", Value::Text("Đã tổ chức 12 sự kiện".into()));
    indicators::record_value(db, program, "4", &text)
        .await
        .unwrap();
    let series = indicators::get(db, program, "4").await.unwrap().unwrap();
    assert_eq!(series.verdict(), Verdict::NeedsJudgement);
    text.judgement = Some(Judgement::Achieved);
    text.note = "Hội đồng đánh giá đạt".into();
    indicators::record_value(db, program, "4", &text)
        .await
        .unwrap();
    let series = indicators::get(db, program, "4").await.unwrap().unwrap();
    assert_eq!(series.verdict(), Verdict::Met);
    assert_eq!(series.values[1].judgement, Some(Judgement::Achieved));
    assert_eq!(series.values[1].note, "Hội đồng đánh giá đạt");
}

async fn a_value_for_an_unknown_indicator_is_refused(db: &Db) {
    let program = setup(db).await;
    indicators::upsert(db, program, &appendix(), "cli")
        .await
        .unwrap();
    let refused =
        indicators::record_value(db, program, "99", &value("BNG", "2025", Value::Number(1.0)))
            .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );
    let missing = indicators::upsert(db, program + 1000, &appendix(), "cli").await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    assert!(audit_actions(db, "indicator_value").await.is_empty());
}

/// What a list of indicators reads — the latest value of each scope, streamed — agrees with
/// the whole series read for one indicator, lists scopes in the order of the target's goals,
/// and can stop at a period's end.
async fn the_latest_values_read_for_a_list_agree_with_the_whole_series(db: &Db) {
    let program = setup(db).await;
    indicators::upsert(db, program, &appendix(), "cli")
        .await
        .unwrap();
    // Scoped: the world first (recorded before Southeast Asia), then corrected; Southeast
    // Asia met in 2025, missed in 2026.
    for (scope, period, number) in [
        ("Thế giới", "2025", 60.0),
        ("Đông Nam Á", "2025", 3.0),
        ("Thế giới", "2025", 48.0),
        ("Đông Nam Á", "2026", 5.0),
    ] {
        let mut new = value("BNG", period, Value::Number(number));
        new.scope = Some(scope.into());
        indicators::record_value(db, program, "3", &new)
            .await
            .unwrap();
    }
    // Unscoped: a correction of an older period recorded last is not the latest.
    for (period, number) in [("2026", 100.0), ("2025", 90.0)] {
        indicators::record_value(
            db,
            program,
            "1",
            &value("BTTTT", period, Value::Number(number)),
        )
        .await
        .unwrap();
    }

    let list = indicators::latest_for_program(db, program, None)
        .await
        .unwrap();
    let codes: Vec<&str> = list
        .iter()
        .map(|s| s.stored.indicator.code.as_str())
        .collect();
    assert_eq!(codes, ["1", "2", "3", "3.1", "4"]);
    for listed in &list {
        let whole = indicators::get(db, program, &listed.stored.indicator.code)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(*listed, whole.latest(), "{}", listed.stored.indicator.code);
        assert_eq!(listed.verdict(), whole.verdict());
    }
    let three = &list[2];
    let shown: Vec<(Option<&str>, f64)> = three
        .latest
        .iter()
        .map(|v| (v.scope.as_deref(), v.value.as_number().unwrap()))
        .collect();
    assert_eq!(shown, [(Some("Đông Nam Á"), 5.0), (Some("Thế giới"), 48.0)]);
    assert_eq!(three.verdict(), Verdict::NotMet);
    assert_eq!(list[0].latest[0].value, Value::Number(100.0));
    assert_eq!(list[0].verdict(), Verdict::Met);
    assert_eq!(list[1].verdict(), Verdict::Pending);

    // As of 1 December 2025: the reporting year 2026 (from 15 December 2025) has not begun.
    let before_2026 = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
    let then = indicators::latest_for_program(db, program, Some(before_2026))
        .await
        .unwrap();
    assert_eq!(then[0].latest[0].value, Value::Number(90.0));
    assert_eq!(then[0].verdict(), Verdict::NotMet);
    assert_eq!(then[2].verdict(), Verdict::Met);
}

/// An indicator with a target for 2025 and one for 2030, in "Người/vạn dân" (kept as written),
/// and one whose direction is a guess, read back as stored; values of each year are judged
/// against the target of their year.
async fn targets_by_year_and_an_unconfirmed_direction_round_trip(db: &Db) {
    let program = setup(db).await;
    let researchers = with_targets(
        "1",
        "Số nhân lực nghiên cứu",
        "Người/vạn dân",
        &[(Some(2030), "12"), (Some(2025), "10")],
        None,
    );
    let mut researchers = researchers;
    researchers.sort_targets();
    let days = with_targets(
        "2",
        "Thời gian xử lý hồ sơ trực tuyến",
        "ngày",
        &[(Some(2030), "3")],
        None,
    );
    assert!(researchers.direction_confirmed && !days.direction_confirmed);
    let appendix = [researchers.clone(), days.clone()];
    indicators::upsert(db, program, &appendix, "cli")
        .await
        .unwrap();
    let stored = indicators::stored_for_program(db, program).await.unwrap();
    assert_eq!(stored[0].indicator, researchers);
    assert_eq!(stored[0].indicator.unit, "Người/vạn dân");
    let years: Vec<Option<i32>> = stored[0].indicator.targets.iter().map(|t| t.year).collect();
    assert_eq!(years, [Some(2025), Some(2030)]);
    assert_eq!(stored[1].indicator, days);
    assert_eq!(stored[1].direction_confirmed_by, None);
    let again = indicators::upsert(db, program, &appendix, "cli")
        .await
        .unwrap();
    assert_eq!(again.unchanged, 2);

    indicators::record_value(
        db,
        program,
        "1",
        &value("BTTTT", "2025", Value::Number(11.0)),
    )
    .await
    .unwrap();
    let series = indicators::get(db, program, "1").await.unwrap().unwrap();
    // 11 in 2025 meets the 2025 target of 10, not yet the 2030 one of 12.
    assert_eq!(series.verdict(), Verdict::Met);
    assert_eq!(series.latest().verdict_in(Some(2030)), Verdict::NotMet);

    indicators::record_value(
        db,
        program,
        "2",
        &value("BTTTT", "2026", Value::Number(2.0)),
    )
    .await
    .unwrap();
    let series = indicators::get(db, program, "2").await.unwrap().unwrap();
    assert_eq!(series.verdict(), Verdict::DirectionUnconfirmed);
    let list = indicators::latest_for_program(db, program, None)
        .await
        .unwrap();
    assert_eq!(list[1].verdict(), Verdict::DirectionUnconfirmed);
}

async fn a_confirmed_direction_is_audited_judges_values_and_survives_a_reimport(db: &Db) {
    let program = setup(db).await;
    let days = with_targets(
        "1",
        "Thời gian xử lý hồ sơ trực tuyến",
        "ngày",
        &[(Some(2030), "3")],
        None,
    );
    indicators::upsert(db, program, std::slice::from_ref(&days), "cli")
        .await
        .unwrap();
    indicators::record_value(
        db,
        program,
        "1",
        &value("BTTTT", "2026", Value::Number(2.0)),
    )
    .await
    .unwrap();
    indicators::confirm_direction(db, program, "1", Direction::LowerIsBetter, "coordinator")
        .await
        .unwrap();
    let series = indicators::get(db, program, "1").await.unwrap().unwrap();
    assert_eq!(series.stored.indicator.direction, Direction::LowerIsBetter);
    assert!(series.stored.indicator.direction_confirmed);
    assert_eq!(
        series.stored.direction_confirmed_by.as_deref(),
        Some("coordinator")
    );
    // Two days against "3", fewer being better: met.
    assert_eq!(series.verdict(), Verdict::Met);
    let records = audit::list(
        db,
        &AuditFilter {
            action: Some("indicator.direction.confirm".into()),
            ..AuditFilter::default()
        },
        10,
        0,
    )
    .await
    .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].actor, "coordinator");
    assert!(
        records[0]
            .before_json
            .as_deref()
            .unwrap()
            .contains("\"higher\"")
    );
    assert!(
        records[0]
            .after_json
            .as_deref()
            .unwrap()
            .contains("\"lower\"")
    );

    // The same appendix imported again does not undo what the coordinator decided.
    let outcome = indicators::upsert(db, program, &[days], "cli")
        .await
        .unwrap();
    assert_eq!(outcome.unchanged, 1);
    let series = indicators::get(db, program, "1").await.unwrap().unwrap();
    assert_eq!(series.stored.indicator.direction, Direction::LowerIsBetter);
    assert!(series.stored.indicator.direction_confirmed);

    let missing =
        indicators::confirm_direction(db, program, "9", Direction::LowerIsBetter, "coordinator")
            .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}
