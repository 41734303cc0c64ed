//! Fuzzing the small parsers people and files feed: indicator target expressions ("≥ 80",
//! "40 - 50", "≤ 3 Đông Nam Á; ≤ 50 Thế giới"), reporting period codes ("2025-Q2") and the
//! parts of a reporting regime (phase codes, reporters, kinds). Whatever the text, they
//! answer without panicking; an error says what is wrong (and where, for targets); what they
//! write they read back the same.

use dongbo_domain::indicator::{Target, TargetErrorKind};
use dongbo_domain::period::PeriodKind;
use dongbo_domain::regime::parse_phase_code;
use dongbo_domain::{Period, Reporters};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

/// Text near what an appendix's target column holds.
fn target_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("≥".to_owned()),
        Just("≤".to_owned()),
        Just(">".to_owned()),
        Just("<".to_owned()),
        Just("=".to_owned()),
        Just(">=".to_owned()),
        Just("%".to_owned()),
        Just(";".to_owned()),
        Just(" - ".to_owned()),
        Just("–".to_owned()),
        Just(",".to_owned()),
        Just(".".to_owned()),
        Just("Đông Nam Á".to_owned()),
        Just("Thế giới".to_owned()),
        Just("Tăng".to_owned()),
        Just("khoảng".to_owned()),
        Just("Hoàn thành".to_owned()),
        "[0-9]{1,7}",
        "[0-9]{1,3}\\.[0-9]{3}",
        "[0-9]{1,3},[0-9]{1,4}",
        " {0,2}",
        "\\PC{1,3}",
    ];
    proptest::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
}

/// Text near a period code: a year, a dash, a letter and digits, with slips.
fn period_like() -> impl Strategy<Value = String> {
    (
        "[0-9]{0,5}",
        "[-–/ ]{0,2}",
        "[MQHNYmqhnyÝ]{0,2}",
        "[0-9]{0,3}",
    )
        .prop_map(|(year, dash, letter, digits)| format!("{year}{dash}{letter}{digits}"))
}

/// Every error of a target names a position inside the text (or just after it) and says
/// something.
fn assert_clear_target_error(text: &str) -> Result<(), TestCaseError> {
    match Target::parse(text) {
        Ok(target) => {
            // What a target writes it reads back as the same target, written the same.
            let written = target.to_string();
            // The round trip holds for scopes of plain words. A scope written before the sign
            // is written back after the number, where one starting with "%" or "-" reads as a
            // percent sign or a range ("%≥0" → "≥ 0 %"), and its spaces are kept as typed
            // (a no-break space): those are not written back the same.
            let plain = |scope: &str| {
                scope.chars().next().is_some_and(char::is_alphabetic)
                    && !scope.contains("  ")
                    && scope.chars().all(|c| c == ' ' || !c.is_whitespace())
            };
            let ambiguous = target
                .goals()
                .iter()
                .any(|g| g.scope.as_deref().is_some_and(|s| !plain(s)));
            if !written.is_empty() && !ambiguous {
                let again = Target::parse(&written);
                prop_assert!(again.is_ok(), "{text:?} → {written:?} → {again:?}");
                let again = again.unwrap_or(Target::Qualitative(String::new()));
                prop_assert_eq!(again.to_string(), written.clone(), "{:?}", text);
                prop_assert_eq!(again.goals().len(), target.goals().len(), "{:?}", written);
            }
        }
        Err(error) => {
            // Positions count the characters of the text once normalised to NFC.
            let length = text.nfc().count();
            prop_assert!(error.at >= 1, "{text:?}: {error}");
            prop_assert!(error.at <= length + 1, "{text:?}: {error} past the end");
            let message = error.to_string();
            prop_assert!(message.starts_with("character "), "{message}");
            prop_assert!(message.len() > "character 1: ".len() + 5, "{message}");
            if error.kind == TargetErrorKind::Empty {
                prop_assert!(text.trim().is_empty(), "{text:?} is not empty");
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_unicode_target_is_parsed_or_refused_with_a_position(text in any::<String>()) {
        assert_clear_target_error(&text)?;
    }

    #[test]
    fn target_like_text_is_parsed_or_refused_with_a_position_and_reads_back(text in target_like()) {
        assert_clear_target_error(&text)?;
    }

    #[test]
    fn a_well_formed_comparison_always_parses_and_reads_back(
        sign in prop_oneof![Just("≥"), Just("≤"), Just(">"), Just("<"), Just("")],
        whole in 0u32..1_000_000,
        fraction in proptest::option::of(0u32..100),
        percent in any::<bool>(),
        scope in proptest::option::of(prop_oneof![Just("Đông Nam Á"), Just("Thế giới")]),
    ) {
        let mut text = format!("{sign} {whole}");
        if let Some(fraction) = fraction {
            text.push_str(&format!(",{fraction:02}"));
        }
        if percent {
            text.push('%');
        }
        if let Some(scope) = scope {
            text.push(' ');
            text.push_str(scope);
        }
        let target = Target::parse(&text);
        prop_assert!(target.is_ok(), "{text:?}: {target:?}");
        let target = target.unwrap_or(Target::Qualitative(String::new()));
        prop_assert_eq!(target.goals().len(), 1, "{:?}", text);
        let goal = &target.goals()[0];
        let expected = f64::from(whole) + f64::from(fraction.unwrap_or(0)) / 100.0;
        prop_assert!((goal.value - expected).abs() < 1e-9, "{text:?}: {}", goal.value);
        prop_assert_eq!(goal.percent, percent);
        prop_assert_eq!(Target::parse(&target.to_string()), Ok(target.clone()));
    }

    #[test]
    fn any_text_as_a_period_code_is_read_or_refused_naming_it(text in any::<String>()) {
        check_period_code(&text)?;
    }

    #[test]
    fn period_like_codes_are_read_or_refused_naming_them(text in period_like()) {
        check_period_code(&text)?;
    }

    #[test]
    fn every_period_reads_back_from_its_code(
        kind in proptest::sample::select(PeriodKind::ALL.to_vec()),
        year in 1900i32..=2200,
        index in 1u32..=12,
    ) {
        let index = index.min(kind.periods_per_year());
        let period = Period::new(kind, year, index);
        prop_assert!(period.is_ok(), "{kind:?} {year} {index}: {period:?}");
        let Ok(period) = period else { return Ok(()); };
        prop_assert_eq!(period.code().parse::<Period>(), Ok(period));
        prop_assert_eq!(period.code().to_lowercase().parse::<Period>(), Ok(period));
        prop_assert!(period.start() <= period.end());
        prop_assert!(!period.to_string().is_empty());
    }

    #[test]
    fn regime_parts_are_read_or_refused_naming_the_text(text in any::<String>()) {
        let quoted = format!("{text:?}");
        match parse_phase_code(&text) {
            Ok((start, end)) => {
                let code = format!("{start}..{end}");
                prop_assert_eq!(parse_phase_code(&code).ok(), Some((start, end)));
            }
            Err(error) => prop_assert!(error.to_string().contains(&quoted), "{error}"),
        }
        match Reporters::parse(&text) {
            Ok(reporters) => prop_assert_eq!(reporters.as_str(), text.as_str()),
            Err(error) => prop_assert!(error.to_string().contains(&quoted), "{error}"),
        }
        match text.parse::<PeriodKind>() {
            Ok(kind) => prop_assert_eq!(kind.as_str(), text.as_str()),
            Err(error) => prop_assert!(error.to_string().contains(&quoted), "{error}"),
        }
    }

    #[test]
    fn phase_codes_of_real_days_read_back(
        start in 0i64..100_000,
        length in 0i64..4_000,
    ) {
        let first = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()
            + chrono::Duration::days(start);
        let last = first + chrono::Duration::days(length);
        let code = format!("{first}..{last}");
        prop_assert_eq!(parse_phase_code(&code).ok(), Some((first, last)));
    }
}

/// A period code is read to a period that writes the same code back (up to the letter's
/// case), or refused with an error that quotes it or names the part at fault.
fn check_period_code(text: &str) -> Result<(), TestCaseError> {
    match text.parse::<Period>() {
        Ok(period) => {
            prop_assert_eq!(period.code(), text.to_ascii_uppercase());
            prop_assert!((1900..=2200).contains(&period.year()));
        }
        Err(error) => {
            let message = error.to_string();
            // Either the code is quoted, or the part at fault is named (the year, the number).
            prop_assert!(
                message.contains(&format!("{text:?}"))
                    || message.starts_with("year ")
                    || message.contains(" period has no number "),
                "{text:?}: {message}"
            );
        }
    }
    Ok(())
}
