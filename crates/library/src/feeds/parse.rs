//! Reading what a source serves: a feed — RSS 2.0 (and RSS 1.0/RDF), Atom 1.0, JSON Feed 1.x
//! — or a sitemap (`urlset`, `sitemapindex`), into [`Entry`]s, newest first, at most a given
//! number.
//!
//! XML is read with `roxmltree`, which refuses a DTD (no entity expansion, no external
//! entities) and is given a cap on nodes; JSON with `serde_json`. The body itself is already
//! capped by the fetcher. An HTML page served where a feed was expected (a site's home page
//! registered by mistake, a login page, an error page) is its own error, [`ParseError::Html`].
//! Nothing here panics on any input (`tests/fuzz.rs`).

use chrono::{DateTime, NaiveDate, Utc};
use roxmltree::{Document, Node, ParsingOptions};
use serde_json::Value;

/// One entry of a feed, or one page of a sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The entry's own id (RSS `guid`, Atom `id`, JSON Feed `id`), else its link.
    pub id: String,
    /// The page the entry is about.
    pub link: Option<String>,
    pub title: Option<String>,
    /// A summary, as the feed gives it (often HTML).
    pub summary: Option<String>,
    /// The full content, as the feed gives it (often HTML).
    pub content: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

impl Entry {
    /// When it was last changed, as far as the feed says.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        self.updated.or(self.published)
    }
}

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
    JsonFeed,
    Sitemap,
    SitemapIndex,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Rss => "RSS",
            Format::Atom => "Atom",
            Format::JsonFeed => "JSON Feed",
            Format::Sitemap => "sitemap",
            Format::SitemapIndex => "sitemap index",
        }
    }

    /// Whether it is a sitemap or a sitemap index (else a feed).
    pub fn is_sitemap(self) -> bool {
        matches!(self, Format::Sitemap | Format::SitemapIndex)
    }
}

/// A document read: its entries (for a sitemap index, the sitemaps it lists), newest first and
/// at most the number asked, and how many it had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub format: Format,
    pub entries: Vec<Entry>,
    /// Entries the document had with an id or link (the ones past the bound were skipped).
    pub total: usize,
    /// Entries with neither an id nor a link, skipped.
    pub without_id: usize,
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error(
        "đây là một trang HTML, không phải nguồn tin (RSS, Atom, JSON Feed) hay sơ đồ trang \
         (this is an HTML page, not a feed or a sitemap: register the address of the site's \
         feed or sitemap)"
    )]
    Html,
    #[error("không phải nguồn tin hay sơ đồ trang (not a feed or a sitemap): {0}")]
    Unknown(String),
    #[error("{format} không hợp lệ (not valid {format}): {why}")]
    Invalid { format: &'static str, why: String },
}

/// Nodes of an XML document at most (a feed of 100,000 short entries has about two million).
const NODES: u32 = 5_000_000;

/// Reads `bytes` as a feed or a sitemap, keeping the `keep` newest entries.
pub fn parse(bytes: &[u8], keep: usize) -> Result<Parsed, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..];
    if looks_like_html(head) {
        return Err(ParseError::Html);
    }
    let text = std::str::from_utf8(head).map_err(|e| ParseError::Invalid {
        format: "UTF-8",
        why: format!("the document is not UTF-8 text ({e})"),
    })?;
    let (format, entries, without_id) = match head.first() {
        Some(b'{') => json_feed(text)?,
        Some(b'<') => xml(text)?,
        _ => {
            return Err(ParseError::Unknown(
                "it begins with neither «<» nor «{»".to_owned(),
            ));
        }
    };
    let total = entries.len();
    Ok(Parsed {
        format,
        entries: newest(entries, keep),
        total,
        without_id,
    })
}

/// The `keep` newest entries, the undated after the dated, in the document's order otherwise.
fn newest(mut entries: Vec<Entry>, keep: usize) -> Vec<Entry> {
    entries.sort_by_key(|entry| std::cmp::Reverse(entry.date()));
    entries.truncate(keep);
    entries
}

fn looks_like_html(head: &[u8]) -> bool {
    let start: Vec<u8> = head.iter().take(64).map(u8::to_ascii_lowercase).collect();
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html")
}

type Read = (Format, Vec<Entry>, usize);

fn xml(text: &str) -> Result<Read, ParseError> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES,
        ..ParsingOptions::default()
    };
    let document = Document::parse_with_options(text, options).map_err(|e| {
        // An HTML page after an XML declaration or comments, or XHTML.
        if text.contains("<html") || text.contains("<HTML") {
            ParseError::Html
        } else {
            ParseError::Invalid {
                format: "XML",
                why: e.to_string(),
            }
        }
    })?;
    let root = document.root_element();
    match root.tag_name().name() {
        "rss" => {
            let channel = child(root, "channel").ok_or_else(|| ParseError::Invalid {
                format: "RSS",
                why: "no <channel>".to_owned(),
            })?;
            Ok(keyed(Format::Rss, children(channel, "item").map(rss_item)))
        }
        // RSS 1.0: the items are the root's children.
        "RDF" => Ok(keyed(Format::Rss, children(root, "item").map(rss_item))),
        "feed" => Ok(keyed(Format::Atom, children(root, "entry").map(atom_entry))),
        "urlset" => Ok(keyed(
            Format::Sitemap,
            children(root, "url").map(sitemap_url),
        )),
        "sitemapindex" => Ok(keyed(
            Format::SitemapIndex,
            children(root, "sitemap").map(sitemap_url),
        )),
        "html" => Err(ParseError::Html),
        other => Err(ParseError::Unknown(format!(
            "an XML document whose root is <{other}>"
        ))),
    }
}

/// The entries that have an id, and how many had none.
fn keyed(format: Format, entries: impl Iterator<Item = Option<Entry>>) -> Read {
    let mut kept = Vec::new();
    let mut without_id = 0;
    for entry in entries {
        match entry {
            Some(entry) => kept.push(entry),
            None => without_id += 1,
        }
    }
    (format, kept, without_id)
}

fn rss_item(item: Node) -> Option<Entry> {
    let link = text_child(item, "link");
    let id = text_child(item, "guid").or_else(|| link.clone())?;
    let published = text_child(item, "pubDate")
        .or_else(|| text_child(item, "date"))
        .and_then(|d| date(&d));
    Some(Entry {
        id,
        link,
        title: text_child(item, "title"),
        summary: text_child(item, "description"),
        content: text_child(item, "encoded"),
        published,
        updated: None,
    })
}

fn atom_entry(entry: Node) -> Option<Entry> {
    let link = children(entry, "link")
        .find(|l| l.attribute("rel").is_none_or(|rel| rel == "alternate"))
        .and_then(|l| l.attribute("href"))
        .map(|href| href.trim().to_owned())
        .filter(|href| !href.is_empty());
    let id = text_child(entry, "id").or_else(|| link.clone())?;
    Some(Entry {
        id,
        link,
        title: text_child(entry, "title"),
        summary: text_child(entry, "summary"),
        content: child(entry, "content").map(atom_content),
        published: text_child(entry, "published").and_then(|d| date(&d)),
        updated: text_child(entry, "updated").and_then(|d| date(&d)),
    })
}

/// An Atom content: its text, or for `type="xhtml"` its markup's text.
fn atom_content(content: Node) -> String {
    text_of(content)
}

fn sitemap_url(url: Node) -> Option<Entry> {
    let link = text_child(url, "loc")?;
    Some(Entry {
        id: link.clone(),
        link: Some(link),
        title: None,
        summary: None,
        content: None,
        published: None,
        updated: text_child(url, "lastmod").and_then(|d| date(&d)),
    })
}

fn json_feed(text: &str) -> Result<Read, ParseError> {
    let invalid = |why: String| ParseError::Invalid {
        format: "JSON Feed",
        why,
    };
    let value: Value = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
    let is_json_feed = value
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("https://jsonfeed.org/version/"));
    if !is_json_feed {
        return Err(ParseError::Unknown(
            "a JSON document without a JSON Feed «version»".to_owned(),
        ));
    }
    let items = value
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("no «items» list".to_owned()))?;
    Ok(keyed(Format::JsonFeed, items.iter().map(json_item)))
}

fn json_item(item: &Value) -> Option<Entry> {
    let string = |key: &str| {
        item.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let link = string("url").or_else(|| string("external_url"));
    let id = match item.get("id") {
        Some(Value::String(id)) if !id.trim().is_empty() => Some(id.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
    .or_else(|| link.clone())?;
    Some(Entry {
        id,
        link,
        title: string("title"),
        summary: string("summary"),
        content: string("content_html").or_else(|| string("content_text")),
        published: string("date_published").and_then(|d| date(&d)),
        updated: string("date_modified").and_then(|d| date(&d)),
    })
}

/// A date as feeds write them: RFC 3339 (Atom, JSON Feed, sitemaps), RFC 2822 (RSS), or a
/// day alone (`2026-12-07`, midnight UTC).
pub fn date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc2822(text))
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
        })
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// The trimmed text of the first child named `name`, when not empty.
fn text_child(node: Node, name: &'static str) -> Option<String> {
    child(node, name)
        .map(text_of)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Every text inside `node` (CDATA included), in order.
fn text_of(node: Node) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_atom_and_json_feed_entries_are_read_newest_first() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
            <item><title>Cũ</title><link>https://a.vn/1</link><guid>a-1</guid><pubDate>Mon, 01 Dec 2025 08:00:00 +0700</pubDate><description>&lt;p&gt;Tóm tắt&lt;/p&gt;</description></item>
            <item><title>Mới</title><link>https://a.vn/2</link><pubDate>Tue, 02 Dec 2025 08:00:00 GMT</pubDate><content:encoded><![CDATA[<p>Toàn văn</p>]]></content:encoded></item>
            <item><title>Không có mã</title></item>
            </channel></rss>"#;
        let parsed = parse(rss.as_bytes(), 10).unwrap();
        assert_eq!(parsed.format, Format::Rss);
        assert_eq!((parsed.total, parsed.without_id), (2, 1));
        assert_eq!(parsed.entries[0].id, "https://a.vn/2");
        assert_eq!(
            parsed.entries[0].content.as_deref(),
            Some("<p>Toàn văn</p>")
        );
        assert_eq!(parsed.entries[1].summary.as_deref(), Some("<p>Tóm tắt</p>"));

        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
            <entry><id>urn:x:1</id><title>Một</title><link rel="alternate" href="https://a.vn/x"/><updated>2025-12-03T01:00:00Z</updated><summary>S</summary></entry></feed>"#;
        let parsed = parse(atom.as_bytes(), 10).unwrap();
        assert_eq!(parsed.format, Format::Atom);
        assert_eq!(parsed.entries[0].link.as_deref(), Some("https://a.vn/x"));

        let json = br#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":7,"url":"https://a.vn/j","title":"J1","content_html":"<b>x</b>","date_published":"2025-12-04T00:00:00+07:00"}]}"#;
        let parsed = parse(json, 10).unwrap();
        assert_eq!(parsed.format, Format::JsonFeed);
        assert_eq!(parsed.entries[0].id, "7");
    }

    #[test]
    fn sitemaps_html_and_dtds_are_told_apart() {
        let sitemap = br#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.vn/p</loc><lastmod>2025-12-01</lastmod></url></urlset>"#;
        assert_eq!(parse(sitemap, 5).unwrap().format, Format::Sitemap);
        let index =
            br#"<sitemapindex><sitemap><loc>https://a.vn/s1.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(parse(index, 5).unwrap().format, Format::SitemapIndex);
        assert_eq!(
            parse(b"<!DOCTYPE html><html><body>x</body></html>", 5),
            Err(ParseError::Html)
        );
        let bomb =
            br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel/></rss>"#;
        assert!(matches!(parse(bomb, 5), Err(ParseError::Invalid { .. })));
    }
}
