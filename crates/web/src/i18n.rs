//! The two languages of the pages: Vietnamese by default, English on request. The chosen
//! language is kept in a `lang` cookie once the user switches.

use axum::http::HeaderMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    /// The language asked for by `?lang=`, else the `lang` cookie, else Vietnamese.
    pub fn from_request(query: Option<&str>, headers: &HeaderMap) -> Self {
        query
            .and_then(Lang::parse)
            .or_else(|| {
                headers
                    .get_all(axum::http::header::COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(';'))
                    .filter_map(|pair| pair.trim().strip_prefix("lang="))
                    .find_map(Lang::parse)
            })
            .unwrap_or(Lang::Vi)
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

    /// A short date: "15/04/2024" / "2024-04-15".
    pub fn short_date(self, date: chrono::NaiveDate) -> String {
        match self {
            Lang::Vi => date.format("%d/%m/%Y").to_string(),
            Lang::En => date.format("%Y-%m-%d").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn query_wins_over_cookie_and_vietnamese_is_the_default() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::from_request(None, &headers), Lang::Vi);
        headers.insert(
            axum::http::header::COOKIE,
            HeaderValue::from_static("a=b; lang=en"),
        );
        assert_eq!(Lang::from_request(None, &headers), Lang::En);
        assert_eq!(Lang::from_request(Some("vi"), &headers), Lang::Vi);
        assert_eq!(Lang::from_request(Some("xx"), &headers), Lang::En);
    }

    #[test]
    fn dates_are_written_the_vietnamese_way() {
        let date = chrono::NaiveDate::from_ymd_opt(2024, 4, 15).unwrap();
        assert_eq!(Lang::Vi.date(date), "ngày 15 tháng 4 năm 2024");
        assert_eq!(Lang::En.date(date), "15 April 2024");
    }
}
