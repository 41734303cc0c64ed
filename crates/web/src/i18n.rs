//! The language of a request: `?lang=` first, else the `lang` cookie (kept once the user
//! switches), else Vietnamese. The languages themselves are the domain's ([`Lang`]).

use axum::http::HeaderMap;
pub use dongbo_domain::lang::Lang;

/// The language asked for by `?lang=`, else the `lang` cookie, else Vietnamese.
pub fn lang_of(query: Option<&str>, headers: &HeaderMap) -> Lang {
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn query_wins_over_cookie_and_vietnamese_is_the_default() {
        let mut headers = HeaderMap::new();
        assert_eq!(lang_of(None, &headers), Lang::Vi);
        headers.insert(
            axum::http::header::COOKIE,
            HeaderValue::from_static("a=b; lang=en"),
        );
        assert_eq!(lang_of(None, &headers), Lang::En);
        assert_eq!(lang_of(Some("vi"), &headers), Lang::Vi);
        assert_eq!(lang_of(Some("xx"), &headers), Lang::En);
    }
}
