//! A sheet of focal points (đầu mối) turned into accounts: one row per person with their name,
//! e-mail address, agency and role, as a ministry's office keeps it in Excel. The sheet is a
//! CSV or XLSX file read under the importer's limits; every row is checked before anything is
//! created, errors name the row and the column, and the accounts are created in one
//! transaction: all or none. Each person's username is their e-mail address unless the sheet
//! has a username column; each gets a generated first password, to be changed at first login.

use dongbo_domain::Directory;
use dongbo_domain::text;
use dongbo_import::raw::SheetRow;

use super::{
    Created, NewUserInput, account_error, account_from, create_all, require_administrator,
};
use crate::{Actor, Error, FieldError, Result};

/// The columns a sheet may have, each with the headers it is recognised by (compared without
/// diacritics or case).
const COLUMNS: [(Column, &[&str]); 5] = [
    (
        Column::Name,
        &[
            "họ và tên",
            "họ tên",
            "tên",
            "name",
            "full name",
            "display name",
        ],
    ),
    (
        Column::Email,
        &[
            "e-mail",
            "email",
            "thư điện tử",
            "địa chỉ thư điện tử",
            "địa chỉ email",
        ],
    ),
    (
        Column::Agency,
        &["cơ quan", "đơn vị", "mã cơ quan", "agency", "agency code"],
    ),
    (Column::Role, &["vai trò", "role"]),
    (
        Column::Username,
        &["tên đăng nhập", "tài khoản", "username", "login"],
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Email,
    Agency,
    Role,
    Username,
}

fn column_of(header: &str) -> Option<Column> {
    let folded = text::fold(header.trim());
    COLUMNS
        .iter()
        .find(|(_, names)| names.iter().any(|n| text::fold(n) == folded))
        .map(|(column, _)| *column)
}

/// The headers of the Vietnamese template, in order (the page offers it to download).
pub const TEMPLATE_HEADERS: [&str; 4] = ["Họ và tên", "E-mail", "Cơ quan", "Vai trò"];

/// Creates an account for every person of the sheet `bytes` (named `file_name`), all or
/// nothing; the accounts with their first passwords.
pub async fn create_from_sheet(
    actor: &Actor<'_>,
    bytes: &[u8],
    file_name: &str,
) -> Result<Vec<Created>> {
    require_administrator(actor)?;
    if bytes.is_empty() {
        return Err(Error::field(
            "file",
            actor.t("Chọn một tệp danh sách.", "Choose a list file."),
        ));
    }
    let file_error = |message: String| Error::field("file", format!("{file_name}: {message}"));
    if bytes.len() > super::MAX_SHEET_BYTES {
        return Err(file_error(format!(
            "{} {} MiB",
            actor.t("tệp lớn hơn", "the file is larger than"),
            super::MAX_SHEET_BYTES / 1024 / 1024
        )));
    }
    let rows = read(bytes, file_name).map_err(|e| file_error(e.to_string()))?;
    let directory = actor.programs.directory_with_units().await?;
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return Err(file_error(
            actor
                .t("tệp không có dòng nào", "the file has no rows")
                .to_owned(),
        ));
    };
    let columns: Vec<Option<Column>> = header.cells.iter().map(|h| column_of(h)).collect();
    let mut errors = Vec::new();
    for required in [Column::Name, Column::Email, Column::Agency, Column::Role] {
        if !columns.contains(&Some(required)) {
            errors.push(cell_error(
                file_name,
                &header.label,
                header_of(required),
                actor.t("thiếu cột này", "this column is missing"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let people: Vec<(String, Vec<(Column, String)>)> = rows
        .filter(|row| row.cells.iter().any(|c| !c.trim().is_empty()))
        .map(|row| {
            let cells = columns
                .iter()
                .zip(row.cells)
                .filter_map(|(column, cell)| column.map(|c| (c, cell)))
                .collect();
            (row.label, cells)
        })
        .collect();
    if people.len() > super::MAX_SHEET_ROWS {
        return Err(file_error(format!(
            "{} {} {}",
            actor.t("quá", "more than"),
            super::MAX_SHEET_ROWS,
            actor.t("dòng", "rows")
        )));
    }
    let accounts = check_rows(actor, file_name, &people, &directory, &mut errors)?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    create_all(actor, accounts).await.map_err(|(index, e)| {
        let label = &people[index].0;
        match account_error(actor, e) {
            Error::Invalid(fields) => Error::Invalid(
                fields
                    .into_iter()
                    .map(|f| cell_error(file_name, label, &f.field, &f.message))
                    .collect(),
            ),
            other => other,
        }
    })
}

/// Every row made an account, or its cells' errors pushed on `errors`; usernames repeated in
/// the sheet are errors too.
fn check_rows(
    actor: &Actor<'_>,
    file_name: &str,
    people: &[(String, Vec<(Column, String)>)],
    directory: &Directory,
    errors: &mut Vec<FieldError>,
) -> Result<Vec<dongbo_store::accounts::admin::NewAccount>> {
    let mut accounts = Vec::with_capacity(people.len());
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (label, cells) in people {
        let get = |column: Column| {
            cells
                .iter()
                .find(|(c, _)| *c == column)
                .map(|(_, v)| text::nfc(v.trim()))
                .unwrap_or_default()
        };
        let email = get(Column::Email);
        let username = Some(get(Column::Username))
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| email.to_lowercase());
        let input = NewUserInput {
            username,
            display_name: get(Column::Name),
            email: Some(email),
            role: Some(get(Column::Role)),
            agency: Some(get(Column::Agency)),
        };
        let mut row_errors = Vec::new();
        let account = account_from(actor, &input, directory, &mut row_errors)?;
        if get(Column::Email).is_empty() {
            row_errors.push(FieldError {
                field: "email".to_owned(),
                message: actor
                    .t("cần địa chỉ thư điện tử", "an e-mail address is required")
                    .to_owned(),
            });
        }
        if !account.username.is_empty() {
            if let Some(first) = seen.get(&account.username) {
                row_errors.push(FieldError {
                    field: "username".to_owned(),
                    message: format!(
                        "«{}» {} {first}",
                        account.username,
                        actor.t("đã có ở", "is already on")
                    ),
                });
            } else {
                seen.insert(account.username.clone(), label.clone());
            }
        }
        errors.extend(
            row_errors
                .into_iter()
                .map(|f| cell_error(file_name, label, field_header(&f.field), &f.message)),
        );
        accounts.push(account);
    }
    Ok(accounts)
}

/// The header a form field's error belongs under.
fn field_header(field: &str) -> &'static str {
    match field {
        "display_name" => header_of(Column::Name),
        "email" => header_of(Column::Email),
        "agency" => header_of(Column::Agency),
        "role" => header_of(Column::Role),
        _ => "Tên đăng nhập",
    }
}

fn header_of(column: Column) -> &'static str {
    match column {
        Column::Name => TEMPLATE_HEADERS[0],
        Column::Email => TEMPLATE_HEADERS[1],
        Column::Agency => TEMPLATE_HEADERS[2],
        Column::Role => TEMPLATE_HEADERS[3],
        Column::Username => "Tên đăng nhập",
    }
}

/// One cell's error: the file, the row and the column are in the message, the field is `file`.
fn cell_error(file_name: &str, row: &str, column: &str, message: &str) -> FieldError {
    FieldError {
        field: "file".to_owned(),
        message: format!("{file_name}, {row}, «{column}»: {message}"),
    }
}

fn read(
    bytes: &[u8],
    file_name: &str,
) -> std::result::Result<Vec<SheetRow>, dongbo_import::ImportError> {
    let limits = dongbo_import::Limits {
        rows: super::MAX_SHEET_ROWS + 1,
        cells: (super::MAX_SHEET_ROWS + 1) * 16,
        ..dongbo_import::Limits::default()
    };
    let packaged = bytes.starts_with(b"PK\x03\x04");
    if packaged {
        dongbo_import::raw::xlsx_rows(bytes, file_name, &limits)
    } else {
        dongbo_import::raw::csv_rows(bytes, file_name, &limits, |header| {
            header.iter().filter(|h| column_of(h).is_some()).count()
        })
    }
}
