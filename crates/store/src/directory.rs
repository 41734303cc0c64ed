//! The stored agency directory: agencies with aliases and successors, and agency sets with
//! their phrases and members. Saved whole (replacing what was there), loaded whole.

use std::collections::HashMap;

use dongbo_domain::{Agency, AgencySet, Directory, Succession};

use crate::codec::{
    col, date_from_text, date_text, enum_from_text, enum_text, flag, flag_from, position,
};
use crate::{Context, Db, Result};

/// Replaces the stored directory with `directory`, in one transaction. Saving the same
/// directory twice leaves the same rows. Tasks keep the codes they name: they refer to
/// agencies by code, not by a foreign key, so a directory change never touches a program.
pub async fn save(db: &Db, directory: &Directory) -> Result<()> {
    let doing = "saving the agency directory";
    let mut tx = db.begin_write(doing).await?;
    // Children first: the foreign keys point from them to agencies and sets.
    for table in [
        "DELETE FROM agency_set_members",
        "DELETE FROM agency_set_phrases",
        "DELETE FROM agency_sets",
        "DELETE FROM agency_successors",
        "DELETE FROM agency_aliases",
        "DELETE FROM agencies",
    ] {
        sqlx::query(table)
            .execute(&mut *tx)
            .await
            .context(|| format!("{doing}: clearing the old directory"))?;
    }

    for agency in &directory.agencies {
        let ctx = || format!("{doing}: agency {}", agency.code);
        sqlx::query(
            "INSERT INTO agencies (code, kind, name_vi, name_en, valid_from, valid_until, parent, source, source_vi) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&agency.code)
        .bind(enum_text(&agency.kind))
        .bind(&agency.name_vi)
        .bind(&agency.name_en)
        .bind(date_text(agency.valid_from))
        .bind(date_text(agency.valid_until))
        .bind(&agency.parent)
        .bind(&agency.source)
        .bind(&agency.source_vi)
        .execute(&mut *tx)
        .await
        .context(ctx)?;
        for (i, alias) in agency.aliases.iter().enumerate() {
            sqlx::query(
                "INSERT INTO agency_aliases (agency_code, position, alias) VALUES ($1, $2, $3)",
            )
            .bind(&agency.code)
            .bind(position(i))
            .bind(alias)
            .execute(&mut *tx)
            .await
            .context(ctx)?;
        }
        for (i, succession) in agency.successors.iter().enumerate() {
            // A successor without functions is one row with a NULL function.
            let functions: Vec<Option<&String>> = if succession.functions.is_empty() {
                vec![None]
            } else {
                succession.functions.iter().map(Some).collect()
            };
            for (j, function) in functions.into_iter().enumerate() {
                sqlx::query(
                    "INSERT INTO agency_successors \
                     (agency_code, position, successor, function_position, function) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&agency.code)
                .bind(position(i))
                .bind(&succession.code)
                .bind(position(j))
                .bind(function)
                .execute(&mut *tx)
                .await
                .context(ctx)?;
            }
        }
    }

    for set in &directory.sets {
        let ctx = || format!("{doing}: agency set {}", set.code);
        sqlx::query(
            "INSERT INTO agency_sets (code, name_vi, name_en, open) VALUES ($1, $2, $3, $4)",
        )
        .bind(&set.code)
        .bind(&set.name_vi)
        .bind(&set.name_en)
        .bind(flag(set.open))
        .execute(&mut *tx)
        .await
        .context(ctx)?;
        for (i, phrase) in set.phrases.iter().enumerate() {
            sqlx::query(
                "INSERT INTO agency_set_phrases (set_code, position, phrase) VALUES ($1, $2, $3)",
            )
            .bind(&set.code)
            .bind(position(i))
            .bind(phrase)
            .execute(&mut *tx)
            .await
            .context(ctx)?;
        }
        let kinds: Vec<String> = set.member_kinds.iter().map(enum_text).collect();
        for (member_type, values) in [("kind", &kinds), ("code", &set.member_codes)] {
            for (i, value) in values.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO agency_set_members (set_code, member_type, position, value) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&set.code)
                .bind(member_type)
                .bind(position(i))
                .bind(value)
                .execute(&mut *tx)
                .await
                .context(ctx)?;
            }
        }
    }

    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    Ok(())
}

/// Whether no agency is stored yet.
pub async fn is_empty(db: &Db) -> Result<bool> {
    let doing = "checking whether the agency directory is empty";
    let mut tx = db.read(doing).await?;
    let row = sqlx::query("SELECT COUNT(*) AS n FROM agencies")
        .fetch_one(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    let n: i64 = col(&row, "n", doing)?;
    Ok(n == 0)
}

/// The stored directory, agencies and sets in order of code (byte order).
pub async fn load(db: &Db) -> Result<Directory> {
    let doing = "loading the agency directory";
    let mut tx = db.read(doing).await?;

    let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
    for row in
        sqlx::query("SELECT agency_code, alias FROM agency_aliases ORDER BY agency_code, position")
            .fetch_all(&mut *tx)
            .await
            .context(|| format!("{doing}: aliases"))?
    {
        aliases
            .entry(col(&row, "agency_code", doing)?)
            .or_default()
            .push(col(&row, "alias", doing)?);
    }

    let mut successors: HashMap<String, Vec<Succession>> = HashMap::new();
    let mut last: Option<(String, i64)> = None;
    for row in sqlx::query(
        "SELECT agency_code, position, successor, function FROM agency_successors \
         ORDER BY agency_code, position, function_position",
    )
    .fetch_all(&mut *tx)
    .await
    .context(|| format!("{doing}: successors"))?
    {
        let agency: String = col(&row, "agency_code", doing)?;
        let index: i64 = col(&row, "position", doing)?;
        let function: Option<String> = col(&row, "function", doing)?;
        let list = successors.entry(agency.clone()).or_default();
        let key = Some((agency, index));
        if last != key || list.is_empty() {
            list.push(Succession {
                code: col(&row, "successor", doing)?,
                functions: Vec::new(),
            });
            last = key;
        }
        if let (Some(function), Some(current)) = (function, list.last_mut()) {
            current.functions.push(function);
        }
    }

    let mut agencies = Vec::new();
    for row in sqlx::query(
        "SELECT code, kind, name_vi, name_en, valid_from, valid_until, parent, source, source_vi \
         FROM agencies",
    )
    .fetch_all(&mut *tx)
    .await
    .context(|| format!("{doing}: agencies"))?
    {
        let code: String = col(&row, "code", doing)?;
        let kind: String = col(&row, "kind", doing)?;
        let ctx = format!("{doing}: agency {code}");
        agencies.push(Agency {
            kind: enum_from_text(&kind, &ctx)?,
            name_vi: col(&row, "name_vi", &ctx)?,
            name_en: col(&row, "name_en", &ctx)?,
            aliases: aliases.remove(&code).unwrap_or_default(),
            valid_from: date_from_text(col(&row, "valid_from", &ctx)?, &ctx)?,
            valid_until: date_from_text(col(&row, "valid_until", &ctx)?, &ctx)?,
            parent: col(&row, "parent", &ctx)?,
            successors: successors.remove(&code).unwrap_or_default(),
            source: col(&row, "source", &ctx)?,
            source_vi: col(&row, "source_vi", &ctx)?,
            code,
        });
    }
    agencies.sort_by(|a, b| a.code.cmp(&b.code));

    let mut phrases: HashMap<String, Vec<String>> = HashMap::new();
    for row in
        sqlx::query("SELECT set_code, phrase FROM agency_set_phrases ORDER BY set_code, position")
            .fetch_all(&mut *tx)
            .await
            .context(|| format!("{doing}: set phrases"))?
    {
        phrases
            .entry(col(&row, "set_code", doing)?)
            .or_default()
            .push(col(&row, "phrase", doing)?);
    }
    let mut kinds: HashMap<String, Vec<String>> = HashMap::new();
    let mut codes: HashMap<String, Vec<String>> = HashMap::new();
    for row in sqlx::query(
        "SELECT set_code, member_type, value FROM agency_set_members \
         ORDER BY set_code, member_type, position",
    )
    .fetch_all(&mut *tx)
    .await
    .context(|| format!("{doing}: set members"))?
    {
        let member_type: String = col(&row, "member_type", doing)?;
        let target = if member_type == "kind" {
            &mut kinds
        } else {
            &mut codes
        };
        target
            .entry(col(&row, "set_code", doing)?)
            .or_default()
            .push(col(&row, "value", doing)?);
    }

    let mut sets = Vec::new();
    for row in sqlx::query("SELECT code, name_vi, name_en, open FROM agency_sets")
        .fetch_all(&mut *tx)
        .await
        .context(|| format!("{doing}: sets"))?
    {
        let code: String = col(&row, "code", doing)?;
        let ctx = format!("{doing}: agency set {code}");
        let member_kinds = kinds
            .remove(&code)
            .unwrap_or_default()
            .iter()
            .map(|k| enum_from_text(k, &ctx))
            .collect::<Result<Vec<_>>>()?;
        sets.push(AgencySet {
            name_vi: col(&row, "name_vi", &ctx)?,
            name_en: col(&row, "name_en", &ctx)?,
            phrases: phrases.remove(&code).unwrap_or_default(),
            member_kinds,
            member_codes: codes.remove(&code).unwrap_or_default(),
            open: flag_from(col(&row, "open", &ctx)?, &ctx)?,
            code,
        });
    }
    sets.sort_by(|a, b| a.code.cmp(&b.code));

    Ok(Directory { agencies, sets })
}
