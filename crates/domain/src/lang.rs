//! The two languages of Đồng Bộ: Vietnamese by default, English on request — and how each
//! writes dates, periods and the functions agencies hand over. Operations word their messages
//! in the caller's language with [`Lang::pick`].

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the text for this language.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A date as each language writes it: "ngày 15 tháng 4 năm 2024" / "15 April 2024".
    pub fn date(self, date: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        match self {
            Lang::Vi => format!(
                "ngày {} tháng {} năm {}",
                date.day(),
                date.month(),
                date.year()
            ),
            Lang::En => date.format("%-d %B %Y").to_string(),
        }
    }

    /// A reporting period's name: "Quý III/2026" / "Q3 2026".
    pub fn period(self, period: crate::Period) -> String {
        match self {
            Lang::Vi => period.to_string(),
            Lang::En => period.label_en(),
        }
    }

    /// A short date: "15/04/2024" / "2024-04-15".
    pub fn short_date(self, date: chrono::NaiveDate) -> String {
        match self {
            Lang::Vi => date.format("%d/%m/%Y").to_string(),
            Lang::En => date.format("%Y-%m-%d").to_string(),
        }
    }

    /// A moment as people in Vietnam read it, in Vietnam's time (UTC+7, no daylight saving):
    /// "23:17 ngày 06/12/2026" / "2026-12-06 23:17".
    pub fn moment(self, at: chrono::DateTime<chrono::Utc>) -> String {
        let local = at.naive_utc() + chrono::Duration::hours(7);
        match self {
            Lang::Vi => local.format("%H:%M ngày %d/%m/%Y").to_string(),
            Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
        }
    }

    /// The name of a function an ended agency handed to a successor (the slugs of
    /// `data/agencies/former.toml`); an unknown slug is shown as it is.
    pub fn function(self, slug: &str) -> String {
        let (vi, en) = match slug {
            crate::directory::ANY_FUNCTION => ("các chức năng còn lại", "all other functions"),
            "press" => ("báo chí", "press"),
            "publishing" => ("xuất bản", "publishing"),
            "external_information" => ("thông tin đối ngoại", "external information"),
            "grassroots_information" => ("thông tin cơ sở", "grassroots information"),
            "labour" => ("lao động", "labour"),
            "employment" => ("việc làm", "employment"),
            "wages" => ("tiền lương", "wages"),
            "social_insurance" => ("bảo hiểm xã hội", "social insurance"),
            "merits" => ("người có công", "people with meritorious services"),
            "gender_equality" => ("bình đẳng giới", "gender equality"),
            "social_protection" => ("bảo trợ xã hội", "social protection"),
            "children" => ("trẻ em", "children"),
            "vocational_education" => ("giáo dục nghề nghiệp", "vocational education"),
            "poverty_reduction" => ("giảm nghèo", "poverty reduction"),
            other => return other.replace('_', " "),
        };
        self.pick(vi, en).to_owned()
    }

    /// The functions of a succession, joined for display.
    pub fn functions(self, slugs: &[String]) -> String {
        slugs
            .iter()
            .map(|slug| self.function(slug))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn succession_functions_have_names_in_both_languages() {
        let slugs = ["external_information".to_owned(), "*".to_owned()];
        assert_eq!(
            Lang::Vi.functions(&slugs),
            "thông tin đối ngoại, các chức năng còn lại"
        );
        assert_eq!(
            Lang::En.functions(&slugs),
            "external information, all other functions"
        );
        assert_eq!(Lang::En.function("new_thing"), "new thing");
    }

    #[test]
    fn moments_are_shown_in_vietnam_time() {
        // 16:17 UTC is 23:17 in Hà Nội; 17:30 UTC is already the next day there.
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-06T16:17:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(Lang::Vi.moment(at), "23:17 ngày 06/12/2026");
        assert_eq!(Lang::En.moment(at), "2026-12-06 23:17");
        let late = chrono::DateTime::parse_from_rfc3339("2026-12-31T17:30:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(Lang::Vi.moment(late), "00:30 ngày 01/01/2027");
    }

    #[test]
    fn dates_are_written_the_vietnamese_way() {
        let date = chrono::NaiveDate::from_ymd_opt(2024, 4, 15).unwrap();
        assert_eq!(Lang::Vi.date(date), "ngày 15 tháng 4 năm 2024");
        assert_eq!(Lang::En.date(date), "15 April 2024");
    }
}
