//! An agency's focal points (đầu mối): the people its reminders and notices are e-mailed to,
//! edited on the agency's page by its administrators. Names and addresses are personal data:
//! they are shown only to those administrators, only while a legal basis for the purpose
//! (`reminders`, `data/law/personal_data.toml`) is in force, and every showing is logged with
//! that basis (the store's `personal_data`).

use dongbo_domain::access::Action;
use dongbo_domain::personal_data::{self, LegalBasis, Purpose};
pub use dongbo_store::personal_data::FocalPoint;
use dongbo_store::personal_data::{self as store, ReadReason};

use crate::{Actor, Error, FieldError, Result};

/// An agency's focal points as its administrators see them, with why they may.
#[derive(Debug, Clone)]
pub struct FocalPoints {
    pub points: Vec<FocalPoint>,
    pub purpose: &'static Purpose,
    pub basis: &'static LegalBasis,
}

/// Whether the caller administers agency `code` (and so keeps its focal points).
pub async fn may_edit(actor: &Actor<'_>, code: &str) -> Result<bool> {
    let directory = actor.programs.directory_with_units().await?;
    Ok(actor.caller.can(Action::ManageUsers, code, &directory))
}

/// The purpose and its basis in force today, or why there is none.
fn basis_today(actor: &Actor<'_>) -> Result<(&'static Purpose, &'static LegalBasis)> {
    let purpose = personal_data::purpose(personal_data::REMINDERS)
        .ok_or_else(|| Error::Internal("no purpose «reminders» in the shipped data".into()))?;
    let basis = purpose.basis_on(actor.today()).ok_or_else(|| {
        Error::Refused(
            actor
                .t(
                    "Không có căn cứ pháp lý còn hiệu lực để xử lý dữ liệu cá nhân cho mục đích này.",
                    "No legal basis in force allows this personal data to be processed for this purpose.",
                )
                .to_owned(),
        )
    })?;
    Ok((purpose, basis))
}

/// The focal points of agency `code`, for its administrators (`None` for anyone else), the
/// read logged with its purpose and legal basis.
pub async fn read(actor: &Actor<'_>, code: &str) -> Result<Option<FocalPoints>> {
    if actor.programs.directory.agency(code).is_none() {
        return Err(Error::NotFound);
    }
    if !may_edit(actor, code).await? {
        return Ok(None);
    }
    let (purpose, basis) = basis_today(actor)?;
    let citation = basis.citation();
    let points = store::read_focal_points(
        &actor.programs.db,
        code,
        ReadReason {
            reader: actor.username(),
            purpose: &purpose.code,
            legal_basis: &citation,
        },
        actor.clock.now(),
    )
    .await?;
    Ok(Some(FocalPoints {
        points,
        purpose,
        basis,
    }))
}

/// Replaces the focal points of agency `code` with those of `text`, one a line: a name and
/// an address ("Nguyễn Văn An <an@bvhttdl.gov.vn>", "Nguyễn Văn An, an@…"), or the address
/// alone. 404 → 403 → 422 naming the line; audited.
pub async fn set(actor: &Actor<'_>, code: &str, text: &str) -> Result<Vec<FocalPoint>> {
    if actor.programs.directory.agency(code).is_none() {
        return Err(Error::NotFound);
    }
    if !may_edit(actor, code).await? {
        return Err(Error::Forbidden);
    }
    basis_today(actor)?;
    let mut points = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match parse_line(line) {
            Some(point) if dongbo_store::notifications::normalize_email(&point.email).is_ok() => {
                points.push(point);
            }
            _ => errors.push(FieldError {
                field: "focal_points".to_owned(),
                message: format!(
                    "{} {}: «{line}» {}",
                    actor.t("Dòng", "Line"),
                    index + 1,
                    actor.t(
                        "không có địa chỉ thư điện tử hợp lệ (viết: Họ và tên <địa chỉ>).",
                        "has no valid e-mail address (write: Full name <address>)."
                    )
                ),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    store::set_focal_points(
        &actor.programs.db,
        actor.username(),
        code,
        &points,
        actor.clock.now(),
    )
    .await?;
    Ok(points)
}

/// A name and an address from one line: the address is the last word with an "@" (without
/// its angle brackets); the name is what comes before it, without trailing separators, so a
/// name with commas in it stays whole.
fn parse_line(line: &str) -> Option<FocalPoint> {
    let start = line
        .char_indices()
        .filter(|(_, c)| c.is_whitespace() || *c == '<' || *c == ',' || *c == ';')
        .map(|(i, c)| i + c.len_utf8())
        .rfind(|&i| line[i..].contains('@'))
        .unwrap_or(0);
    let email = line[start..]
        .trim()
        .trim_matches(|c| c == '<' || c == '>')
        .trim();
    if !email.contains('@') {
        return None;
    }
    let name = line[..start]
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '<' | ',' | ';' | '-' | ':'))
        .trim();
    Some(FocalPoint {
        name: name.to_owned(),
        email: email.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_gives_a_name_and_an_address_and_commas_stay_in_the_name() {
        let point = parse_line("Nguyễn Văn An, Phó Chánh Văn phòng <an@bvhttdl.gov.vn>").unwrap();
        assert_eq!(point.name, "Nguyễn Văn An, Phó Chánh Văn phòng");
        assert_eq!(point.email, "an@bvhttdl.gov.vn");
        let bare = parse_line("vanthu@bvhttdl.gov.vn").unwrap();
        assert_eq!(
            (bare.name.as_str(), bare.email.as_str()),
            ("", "vanthu@bvhttdl.gov.vn")
        );
        let comma = parse_line("Trần Thị Bình, binh@btc.gov.vn").unwrap();
        assert_eq!(
            (comma.name.as_str(), comma.email.as_str()),
            ("Trần Thị Bình", "binh@btc.gov.vn")
        );
        assert!(parse_line("Trần Thị Bình").is_none());
    }
}
