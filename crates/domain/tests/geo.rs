//! The bundled countries and regions (`data/geo/*.toml`): the rules the loader keeps, shown
//! holding on the shipped data and refusing data that breaks them, and a sample of names and
//! dates checked against what their sources say.

use std::collections::HashSet;

use dongbo_domain::geo::{
    Countries, CountryKind, GeoError, PartialDate, PartnershipLevel, RegionKind,
};
use dongbo_domain::text::fold;
use unicode_normalization::UnicodeNormalization;

const COUNTRIES: &str = include_str!("../../../data/geo/countries.toml");
const REGIONS: &str = include_str!("../../../data/geo/regions.toml");

fn geo() -> Countries {
    Countries::bundled()
}

/// The given countries file with the bundled regions.
fn load_with_countries(text: &str) -> Result<Countries, GeoError> {
    Countries::from_toml(("countries.toml", text), ("regions.toml", REGIONS))
}

fn load_with_regions(text: &str) -> Result<Countries, GeoError> {
    Countries::from_toml(("countries.toml", COUNTRIES), ("regions.toml", text))
}

fn code_of(geo: &Countries, text: &str) -> Option<String> {
    geo.find(text).map(|c| c.alpha2.clone())
}

#[test]
fn every_iso_3166_code_is_there_once_and_well_formed() {
    let geo = geo();
    let countries: Vec<_> = geo.countries().collect();
    assert_eq!(countries.len(), 249, "ISO 3166-1 assigns 249 codes");
    let mut seen = HashSet::new();
    for c in &countries {
        assert!(c.alpha2.len() == 2 && c.alpha2.bytes().all(|b| b.is_ascii_uppercase()));
        assert!(c.alpha3.len() == 3 && c.alpha3.bytes().all(|b| b.is_ascii_uppercase()));
        assert!(c.numeric.len() == 3 && c.numeric.bytes().all(|b| b.is_ascii_digit()));
        for code in [&c.alpha2, &c.alpha3, &c.numeric] {
            assert!(seen.insert(code.clone()), "{code} used twice");
        }
    }
    let states = countries
        .iter()
        .filter(|c| c.kind == CountryKind::Country)
        .count();
    assert_eq!(states, 195, "193 UN members, the Holy See and Palestine");
}

#[test]
fn every_name_and_alias_finds_its_own_country_and_no_other() {
    let geo = geo();
    for country in geo.countries() {
        for name in country.names() {
            let found = geo.by_name(name).map(|c| c.alpha2.as_str());
            assert_eq!(found, Some(country.alpha2.as_str()), "«{name}»");
            // Typed without diacritics and in capitals, still the same country.
            let plain = fold(name).to_uppercase();
            let found = geo.by_name(&plain).map(|c| c.alpha2.as_str());
            assert_eq!(found, Some(country.alpha2.as_str()), "«{plain}»");
        }
    }
}

#[test]
fn a_name_that_would_name_two_countries_is_refused_naming_both() {
    // "Mỹ" is the United States' alias; giving it to Malaysia too must not load.
    let text = COUNTRIES.replacen(
        "aliases_vi = [\"Ma-lai-xi-a\"]",
        "aliases_vi = [\"Ma-lai-xi-a\", \"My\"]",
        1,
    );
    assert_ne!(text, COUNTRIES, "the test edits the Malaysia row");
    let error = load_with_countries(&text).expect_err("an ambiguous alias");
    let message = error.to_string();
    assert!(message.contains("country"), "{message}");
    assert!(
        message.contains("«My»") || message.contains("«Mỹ»"),
        "{message}"
    );
    assert!(
        message.contains("US") && message.contains("MY"),
        "{message}"
    );
}

#[test]
fn a_code_used_twice_or_malformed_is_refused_naming_the_row() {
    let twice = COUNTRIES.replacen("alpha3 = \"LAO\"", "alpha3 = \"KHM\"", 1);
    let message = load_with_countries(&twice)
        .expect_err("KHM twice")
        .to_string();
    assert!(
        message.contains("KHM") && message.contains("countries.toml"),
        "{message}"
    );

    let lower = COUNTRIES.replacen("alpha2 = \"LA\"", "alpha2 = \"la\"", 1);
    let message = load_with_countries(&lower)
        .expect_err("lower case")
        .to_string();
    assert!(
        message.contains("country la") && message.contains("two capital letters"),
        "{message}"
    );
}

#[test]
fn every_dated_fact_has_a_source_and_a_fact_without_one_is_refused() {
    let geo = geo();
    let mut facts = 0;
    for country in geo.countries() {
        if let Some(fact) = &country.relations_established {
            assert!(
                fact.source.starts_with("http"),
                "{}: {}",
                country.alpha2,
                fact.source
            );
            facts += 1;
        }
        for partnership in &country.partnership {
            assert!(partnership.source.starts_with("http"), "{}", country.alpha2);
            facts += 1;
        }
        if country.checked {
            assert!(country.name_source.is_some(), "{}", country.alpha2);
        }
    }
    assert!(facts >= 40, "the sourced facts are there ({facts})");

    // The Laos row with its source emptied.
    let unsourced: String = COUNTRIES
        .lines()
        .map(|line| {
            if line.starts_with("relations_established = { date = \"1962-09-05\"") {
                "relations_established = { date = \"1962-09-05\", source = \" \" }".to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(unsourced, COUNTRIES);
    let message = load_with_countries(&unsourced)
        .expect_err("a fact without a source")
        .to_string();
    assert!(
        message.contains("country LA") && message.contains("no source"),
        "{message}"
    );
}

#[test]
fn a_checked_row_without_its_name_source_is_refused() {
    // Andorra, the first row, has no name_source.
    let text = COUNTRIES.replacen("\nchecked = false\n", "\nchecked = true\n", 1);
    let message = load_with_countries(&text)
        .expect_err("checked without source")
        .to_string();
    assert!(
        message.contains("country AD") && message.contains("name_source"),
        "{message}"
    );
}

#[test]
fn a_date_is_kept_as_precisely_as_its_source_gives_it() {
    assert_eq!(PartialDate::parse("2008").unwrap().to_string(), "2008");
    assert_eq!(
        PartialDate::parse("2025-02").unwrap().to_string(),
        "2025-02"
    );
    let day = PartialDate::parse("1962-09-05").unwrap();
    assert_eq!(day.date(), "1962-09-05".parse().ok());
    assert_eq!(PartialDate::parse("2025-02").unwrap().date(), None);
    for bad in [
        "2023-02-30",
        "2024-13",
        "24-1-1",
        "1995/07/12",
        "",
        "1995-7-12",
    ] {
        assert!(PartialDate::parse(bad).is_err(), "«{bad}»");
    }
    // A day that does not exist in the file stops the load, naming the file.
    let text = COUNTRIES.replacen("date = \"1962-09-05\"", "date = \"1962-09-31\"", 1);
    let message = load_with_countries(&text)
        .expect_err("no 31 September")
        .to_string();
    assert!(
        message.contains("countries.toml") && message.contains("1962-09-31"),
        "{message}"
    );
}

#[test]
fn codes_are_found_in_either_case_and_names_with_or_without_diacritics() {
    let geo = geo();
    assert_eq!(geo.by_code("kr").unwrap().alpha2, "KR");
    assert_eq!(geo.by_code("KOR").unwrap().alpha2, "KR");
    assert_eq!(geo.by_code(" vnm ").unwrap().name_vi, "Việt Nam");
    assert_eq!(geo.by_code("704").unwrap().alpha2, "VN");
    assert!(geo.by_code("XK").is_none());
    for (typed, code) in [
        ("Hàn Quốc", "KR"),
        ("han quoc", "KR"),
        ("Đại Hàn Dân Quốc", "KR"),
        ("South Korea", "KR"),
        ("Triều Tiên", "KP"),
        ("Mỹ", "US"),
        ("hoa ky", "US"),
        ("Nga", "RU"),
        ("Liên bang Nga", "RU"),
        ("Lào", "LA"),
        ("Úc", "AU"),
        ("Ô-xtrây-li-a", "AU"),
        ("Anh", "GB"),
        ("Liên hiệp Vương quốc Anh và Bắc Ireland", "GB"),
        ("Đài Loan", "TW"),
        ("  trung   quoc ", "CN"),
        ("Korea, Republic of", "KR"),
        ("Vietnam", "VN"),
        ("Viet Nam", "VN"),
        ("UK", "GB"),
        ("Lao People's Democratic Republic", "LA"),
    ] {
        assert_eq!(code_of(&geo, typed).as_deref(), Some(code), "«{typed}»");
    }
    // Decomposed input (as some keyboards send it) is read as NFC.
    let decomposed: String = "Hàn Quốc".nfd().collect();
    assert_ne!(decomposed, "Hàn Quốc");
    assert_eq!(geo.by_name(&decomposed).unwrap().alpha2, "KR");
    assert!(
        geo.by_name("Hàn").is_none(),
        "a part of a name is not a name"
    );
}

#[test]
fn capitals_as_a_code_and_anything_else_as_a_name_first() {
    let geo = geo();
    assert_eq!(
        code_of(&geo, "NGA").as_deref(),
        Some("NG"),
        "ISO alpha-3 of Nigeria"
    );
    assert_eq!(code_of(&geo, "Nga").as_deref(), Some("RU"));
    assert_eq!(code_of(&geo, "MY").as_deref(), Some("MY"));
    assert_eq!(
        code_of(&geo, "my").as_deref(),
        Some("US"),
        "«Mỹ» typed without its accent"
    );
    assert_eq!(code_of(&geo, "vn").as_deref(), Some("VN"));
    assert_eq!(code_of(&geo, "Không có nước này"), None);
}

#[test]
fn names_keep_the_commas_inside_them() {
    let geo = geo();
    let bq = geo.by_code("BQ").unwrap();
    assert_eq!(bq.name_vi, "Bonaire, Sint Eustatius và Saba");
    assert_eq!(
        geo.by_name("Bonaire, Sint Eustatius và Saba")
            .unwrap()
            .alpha2,
        "BQ"
    );
    assert!(geo.by_name("Bonaire").is_none());
    assert_eq!(geo.by_name("Virgin Islands, British").unwrap().alpha2, "VG");
    assert!(geo.by_name("Virgin Islands").is_none());
    let us = geo.by_code("US").unwrap();
    assert_eq!(us.capital_vi.as_deref(), Some("Washington, D.C."));
    assert_eq!(
        geo.by_code("SH").unwrap().name_en,
        "Saint Helena, Ascension and Tristan da Cunha"
    );
}

#[test]
fn well_known_names_are_as_the_ministry_writes_them() {
    let geo = geo();
    let name = |code: &str| geo.by_code(code).unwrap();
    assert_eq!(name("US").name_vi, "Hoa Kỳ");
    assert_eq!(
        name("US").name_vi_full.as_deref(),
        Some("Hợp chúng quốc Hoa Kỳ")
    );
    assert_eq!(name("RU").name_vi, "Liên bang Nga");
    assert_eq!(name("KR").name_vi, "Hàn Quốc");
    assert_eq!(name("KR").name_vi_full.as_deref(), Some("Đại Hàn Dân Quốc"));
    assert_eq!(
        name("KP").name_vi_full.as_deref(),
        Some("Cộng hòa Dân chủ Nhân dân Triều Tiên")
    );
    assert_eq!(
        name("LA").name_vi_full.as_deref(),
        Some("Cộng hòa Dân chủ Nhân dân Lào")
    );
    assert_eq!(
        name("CN").name_vi_full.as_deref(),
        Some("Cộng hòa Nhân dân Trung Hoa")
    );
    assert_eq!(name("TW").name_vi, "Đài Loan (Trung Quốc)");
    assert_eq!(name("TW").part_of.as_deref(), Some("CN"));
    assert_eq!(
        name("VN").name_vi_full.as_deref(),
        Some("Cộng hòa xã hội chủ nghĩa Việt Nam")
    );
    assert_eq!(name("LA").capital_vi.as_deref(), Some("Viêng Chăn"));
    for code in ["US", "RU", "KR", "CN", "LA", "KH", "JP", "GB", "VN"] {
        assert!(name(code).checked, "{code} is confirmed against a source");
    }
    // Every name in the file is NFC, as every boundary of the system expects.
    for country in geo.countries() {
        for n in country.names() {
            assert_eq!(dongbo_domain::text::nfc(n), n);
        }
    }
}

#[test]
fn well_known_dates_are_the_ones_their_sources_give() {
    let geo = geo();
    let established = |code: &str| {
        geo.by_code(code)
            .and_then(|c| c.relations_established.as_ref())
            .map(|f| f.date.to_string())
    };
    assert_eq!(established("LA").as_deref(), Some("1962-09-05"));
    assert_eq!(established("CU").as_deref(), Some("1960-12-02"));
    assert_eq!(established("CN").as_deref(), Some("1950-01-18"));
    assert_eq!(established("RU").as_deref(), Some("1950-01-30"));
    assert_eq!(established("US").as_deref(), Some("1995-07-12"));
    assert_eq!(established("KR").as_deref(), Some("1992-12-22"));
    assert_eq!(
        established("ID").as_deref(),
        Some("1955"),
        "the source gives the year only"
    );

    let since = |code: &str, level: PartnershipLevel| {
        geo.by_code(code).and_then(|c| {
            c.partnership
                .iter()
                .find(|p| p.level == level)
                .map(|p| p.since.to_string())
        })
    };
    let csp = PartnershipLevel::ComprehensiveStrategic;
    for (code, date) in [
        ("CN", "2008"),
        ("RU", "2012-07"),
        ("IN", "2016"),
        ("KR", "2022-12-05"),
        ("US", "2023-09-10"),
        ("JP", "2023-11-27"),
        ("AU", "2024-03-07"),
        ("FR", "2024-10-07"),
        ("MY", "2024-11"),
        ("NZ", "2025-02"),
        ("ID", "2025-03-10"),
        ("SG", "2025-03"),
        ("TH", "2025-05-16"),
        ("GB", "2025-10"),
    ] {
        assert_eq!(since(code, csp).as_deref(), Some(date), "{code}");
        assert_eq!(
            geo.by_code(code).unwrap().partnership_level(),
            Some(csp),
            "{code}"
        );
    }
    assert_eq!(
        since("US", PartnershipLevel::Comprehensive).as_deref(),
        Some("2013-07-25")
    );
    assert_eq!(since("DE", csp), None, "no sourced framework, none given");
    assert_eq!(established("KP").as_deref(), Some("1950-01-31"));
    assert_eq!(
        established("DE").as_deref(),
        Some("1975-09"),
        "the source gives the month"
    );
    assert_eq!(
        since("RU", PartnershipLevel::Strategic).as_deref(),
        Some("2001")
    );
    assert_eq!(
        since("ZA", PartnershipLevel::Strategic).as_deref(),
        Some("2025-11-21")
    );
}

#[test]
fn upgrades_out_of_date_order_are_refused() {
    // Russia: strategic 2001, then comprehensive strategic 2012-07; moving the first after the
    // second must not load.
    let text = COUNTRIES.replacen(
        "level = \"strategic\"\nsince = \"2001\"",
        "level = \"strategic\"\nsince = \"2013\"",
        1,
    );
    assert_ne!(text, COUNTRIES);
    let message = load_with_countries(&text)
        .expect_err("out of order")
        .to_string();
    assert!(
        message.contains("country RU") && message.contains("order"),
        "{message}"
    );
}

#[test]
fn every_region_member_is_a_country_and_regions_are_found_by_name() {
    let geo = geo();
    for region in geo.regions() {
        assert!(!region.source.is_empty(), "{}", region.code);
        assert_eq!(
            geo.members(region).count(),
            region.members.len(),
            "{}",
            region.code
        );
    }
    let members = |code: &str| {
        let mut m: Vec<String> = geo.region(code).unwrap().members.clone();
        m.sort();
        m
    };
    assert_eq!(members("ASEAN").len(), 11);
    assert!(
        members("ASEAN").contains(&"TL".to_owned()),
        "Timor-Leste since 2025-10-26"
    );
    assert_eq!(members("EU").len(), 27);
    assert!(!members("EU").contains(&"GB".to_owned()));
    assert_eq!(members("G7"), ["CA", "DE", "FR", "GB", "IT", "JP", "US"]);
    assert_eq!(members("APEC").len(), 21);
    assert_eq!(members("G20").len(), 19);
    assert_eq!(geo.region("Liên minh châu Âu").unwrap().code, "EU");
    assert_eq!(geo.region("chau a").unwrap().code, "ASIA");
    assert_eq!(geo.region("Đông Nam Á").unwrap().code, "SOUTHEAST_ASIA");
    assert_eq!(
        geo.region("Trung Đông").unwrap().kind,
        RegionKind::Subregion
    );
    assert!(
        !geo.region("Trung Đông").unwrap().checked,
        "a convention, not a membership"
    );

    // Every entry but Antarctica lies on one continent exactly.
    for country in geo.countries() {
        let continents = geo
            .regions_of(&country.alpha2)
            .filter(|r| r.kind == RegionKind::Continent)
            .count();
        let expected = usize::from(country.alpha2 != "AQ");
        assert_eq!(continents, expected, "{}", country.alpha2);
    }
    let vn: Vec<&str> = geo.regions_of("VN").map(|r| r.code.as_str()).collect();
    for code in ["ASEAN", "APEC", "GMS", "ASIA", "SOUTHEAST_ASIA"] {
        assert!(vn.contains(&code), "VN in {code}");
    }
}

#[test]
fn a_region_member_that_is_no_country_is_refused_naming_the_region() {
    let text = REGIONS.replacen("\"BN\", \"KH\"", "\"BN\", \"XK\"", 1);
    assert_ne!(text, REGIONS);
    let message = load_with_regions(&text).expect_err("XK").to_string();
    assert!(
        message.contains("regions.toml")
            && message.contains("region ASEAN")
            && message.contains("XK"),
        "{message}"
    );
}
