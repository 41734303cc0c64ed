//! Which way an indicator improves comes from its unit and its targets, never from words in its
//! name; a direction the rules are not sure of is a guess that judges no value; an indicator's
//! targets by year judge the values of their years.

use dongbo_domain::IndicatorValue as Value;
use dongbo_domain::indicator::{Comparison, Inferred};
use dongbo_domain::{Achievement, Direction, Indicator, Target, Verdict, YearTarget};

fn targets(written: &[(Option<i32>, &str)]) -> Vec<YearTarget> {
    written
        .iter()
        .map(|(year, text)| YearTarget::parse(*year, text).unwrap())
        .collect()
}

fn infer(name: &str, unit: &str, target: &str) -> (Direction, bool) {
    let Inferred {
        direction,
        confirmed,
    } = Direction::infer(name, unit, &targets(&[(Some(2030), target)]));
    (direction, confirmed)
}

fn indicator(name: &str, unit: &str, written: &[(Option<i32>, &str)]) -> Indicator {
    let targets = targets(written);
    let inferred = Direction::infer(name, unit, &targets);
    Indicator {
        code: "1".into(),
        parent: None,
        name: name.into(),
        unit: unit.into(),
        direction: inferred.direction,
        direction_confirmed: inferred.confirmed,
        baseline: None,
        baseline_year: None,
        targets,
        tracking_agency: None,
        tracking_text: String::new(),
        source: String::new(),
    }
}

const HIGHER: (Direction, bool) = (Direction::HigherIsBetter, true);
const LOWER: (Direction, bool) = (Direction::LowerIsBetter, true);
const GUESS: (Direction, bool) = (Direction::HigherIsBetter, false);

#[test]
fn a_rate_whose_name_says_vi_tri_is_higher_is_better_and_60_of_100_is_not_met() {
    // The bug seen in the browser: "vị trí" in the name made this rate a ranking, and 60 %
    // against 100 % read "Đạt — 166,7 % mục tiêu".
    let name = "Tỷ lệ cơ quan, tổ chức hoàn thành bố trí vị trí việc làm";
    assert_eq!(infer(name, "%", "100%"), HIGHER);
    let rate = indicator(name, "%", &[(Some(2030), "100%")]);
    let achievement = rate.assess(Some(2026), None, Some(&Value::Number(60.0)), None);
    let Achievement::Measured(measure) = achievement else {
        panic!("{achievement:?}")
    };
    assert!(!measure.met);
    assert_eq!(measure.percent, Some(60.0));
    let sixty = Value::Number(60.0);
    assert_eq!(
        rate.verdict(Some(2026), &[(None, &sixty, None)]),
        Verdict::NotMet
    );
}

#[test]
fn rank_units_are_lower_is_better() {
    for unit in ["Thứ bậc", "Thứ hạng", "thứ hạng", "bậc", "hạng", "Xếp hạng"] {
        assert_eq!(
            infer("Chỉ số Đổi mới sáng tạo toàn cầu (GII)", unit, "40"),
            LOWER,
            "{unit}"
        );
    }
    // "hàng" (goods) is not "hạng" (a rank), though they fold alike.
    assert_eq!(infer("Số mặt hàng xuất khẩu", "hàng", "40"), GUESS);
}

#[test]
fn rank_targets_in_words_are_lower_is_better() {
    assert_eq!(infer("Chỉ số GII", "", "Top 40"), LOWER);
    assert_eq!(
        infer(
            "Năng lực cạnh tranh công nghiệp",
            "",
            "Trong nhóm 3 nước dẫn đầu ASEAN"
        ),
        LOWER
    );
    let top = Target::parse("Top 40").unwrap();
    assert_eq!(top.goals()[0].comparison, Comparison::AtMost);
    assert_eq!(top.goals()[0].value, 40.0);
    let group = Target::parse("Trong nhóm 3 nước dẫn đầu ASEAN").unwrap();
    assert_eq!(group.goals()[0].comparison, Comparison::AtMost);
    assert_eq!(group.goals()[0].value, 3.0);
}

#[test]
fn a_count_named_xep_hang_is_a_count() {
    let name = "Số tổ chức khoa học và công nghệ được xếp hạng khu vực và thế giới";
    assert_eq!(infer(name, "Tổ chức", "10"), HIGHER);
    let count = indicator(name, "Tổ chức", &[(Some(2030), "10")]);
    let twelve = Value::Number(12.0);
    assert_eq!(count.verdict(None, &[(None, &twelve, None)]), Verdict::Met);
}

#[test]
fn shares_rates_and_amounts_are_higher_is_better() {
    assert_eq!(
        infer("Chi cho nghiên cứu và phát triển", "% GDP", "2"),
        HIGHER
    );
    assert_eq!(infer("Nhân lực nghiên cứu", "Người/vạn dân", "12"), HIGHER);
    assert_eq!(infer("Kinh tế số", "", "30%"), HIGHER);
    assert_eq!(infer("Doanh thu công nghiệp số", "tỷ USD", "200"), HIGHER);
    assert_eq!(infer("Số kênh truyền hình đối ngoại", "kênh", "09"), HIGHER);
}

#[test]
fn upper_bounds_in_signs_or_words_are_lower_is_better() {
    assert_eq!(infer("Tỷ lệ hộ nghèo", "%", "≤ 1%"), LOWER);
    assert_eq!(infer("Nợ công", "% GDP", "< 60"), LOWER);
    assert_eq!(infer("Nợ công", "% GDP", "không quá 60"), LOWER);
    assert_eq!(infer("Tỷ lệ lao động nông nghiệp", "%", "dưới 20%"), LOWER);
    let worded = Target::parse("Không quá 60% GDP").unwrap();
    assert_eq!(worded.goals()[0].comparison, Comparison::AtMost);
    assert!(worded.goals()[0].percent);
    assert_eq!(
        Target::parse("dưới 20%").unwrap().goals()[0].comparison,
        Comparison::LessThan
    );
    assert_eq!(
        Target::parse("trên 80%").unwrap().goals()[0].comparison,
        Comparison::MoreThan
    );
    assert_eq!(
        Target::parse("Tối thiểu 70%").unwrap().goals()[0].comparison,
        Comparison::AtLeast
    );
    // Words without a number after them are still a qualitative target.
    assert!(matches!(
        Target::parse("Trên địa bàn toàn quốc").unwrap(),
        Target::Qualitative(_)
    ));
}

#[test]
fn explicit_lower_bounds_are_sure_whatever_the_unit() {
    assert_eq!(infer("Thời gian lưu trú", "ngày", "≥ 3"), HIGHER);
    assert_eq!(
        infer("Hình ảnh quốc gia", "", "Được biết đến rộng rãi"),
        (Direction::Qualitative, true)
    );
}

#[test]
fn an_unsure_direction_is_a_guess_that_judges_no_value() {
    // Days to handle a file: fewer may be the aim; the rules do not know.
    assert_eq!(infer("Thời gian xử lý hồ sơ", "ngày", "5"), GUESS);
    // A reduction in the name casts doubt on a share.
    assert_eq!(infer("Giảm tỷ lệ tin giả được chia sẻ", "%", "10%"), GUESS);
    assert_eq!(infer("Số vụ việc", "", "5"), GUESS);

    let days = indicator("Thời gian xử lý hồ sơ", "ngày", &[(Some(2030), "5")]);
    assert!(!days.direction_confirmed);
    let four = Value::Number(4.0);
    assert_eq!(
        days.assess(Some(2030), None, Some(&four), None),
        Achievement::DirectionUnconfirmed
    );
    assert_eq!(
        days.verdict(Some(2030), &[(None, &four, None)]),
        Verdict::DirectionUnconfirmed
    );
    assert_eq!(days.verdict(None, &[]), Verdict::DirectionUnconfirmed);
    assert_eq!(
        Verdict::DirectionUnconfirmed.label_vi(),
        "Chưa xác định chiều đánh giá — cần xác nhận"
    );

    // Once a person confirms it, values are judged.
    let confirmed = Indicator {
        direction: Direction::LowerIsBetter,
        direction_confirmed: true,
        ..days
    };
    assert_eq!(
        confirmed.verdict(Some(2030), &[(None, &four, None)]),
        Verdict::Met
    );
}

#[test]
fn each_year_is_judged_against_the_nearest_target_at_or_after_it() {
    let rate = indicator(
        "Tỷ lệ dân số trưởng thành có chữ ký số",
        "%",
        &[(Some(2025), "40%"), (Some(2030), "70%")],
    );
    let year_of = |year: Option<i32>| rate.target_for(year).and_then(|t| t.year);
    assert_eq!(year_of(Some(2024)), Some(2025));
    assert_eq!(year_of(Some(2025)), Some(2025));
    assert_eq!(year_of(Some(2026)), Some(2030));
    assert_eq!(year_of(Some(2035)), Some(2030));
    assert_eq!(year_of(None), Some(2030));

    let fifty = Value::Number(50.0);
    let latest = [(None, &fifty, None)];
    assert_eq!(rate.verdict(Some(2025), &latest), Verdict::Met);
    assert_eq!(rate.verdict(Some(2027), &latest), Verdict::NotMet);
    assert_eq!(rate.verdict(None, &latest), Verdict::NotMet);
}
