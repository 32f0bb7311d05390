//! A department named the way people name it: by its global ID, its name or one of its aliases.
//!
//! Contract of [`resolve_department`]: exactly one match is the answer; a name
//! that matches several departments is an error listing them (name, region,
//! ID), an unknown one an error with the closest names and aliases, if any
//! are close. `xietong token issue --dept` and the tests use it.

use crate::ids::{NodeKind, from_global, to_global};
use anyhow::{Context, bail};
use entity::{department, department_alias, region};
use itertools::Itertools;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// Most close names suggested for an unknown department.
const MAX_SUGGESTIONS: usize = 10;

/// The department `input` names: a department global ID, or exactly one
/// department's name or alias.
///
/// # Errors
/// No such department; several departments with that name (listed with
/// their regions and IDs); a store that cannot be read.
pub async fn resolve_department<C: ConnectionTrait>(db: &C, input: &str) -> anyhow::Result<department::Model> {
    let hint = "could not read departments (start the server once, or run `xietong seed`, to create the database)";
    let input = input.trim();
    if let Ok(id) = from_global(NodeKind::Department, input, "dept") {
        let found = department::Entity::find_by_id(id).one(db).await.context(hint)?;
        return found.with_context(|| format!("no department has the ID {input}"));
    }
    let alias_of = department_alias::Entity::find()
        .filter(department_alias::Column::Alias.eq(input))
        .all(db)
        .await
        .context(hint)?
        .into_iter()
        .map(|a| a.department_id);
    let matches = department::Entity::find()
        .filter(
            Condition::any()
                .add(department::Column::Name.eq(input))
                .add(department::Column::Id.is_in(alias_of.collect::<Vec<_>>())),
        )
        .order_by_asc(department::Column::Name)
        .all(db)
        .await
        .context(hint)?;
    match matches.len() {
        1 => matches.into_iter().next().context("one match"),
        0 => {
            let close = suggestions(db, input).await.context(hint)?;
            if close.is_empty() {
                bail!("no department is named `{input}`, and no name or alias is close to it");
            }
            bail!("no department is named `{input}`; did you mean one of these?\n{}", listing(db, &close).await?);
        }
        n => bail!(
            "`{input}` names {n} departments; pass one of these IDs with --dept:\n{}",
            listing(db, &matches).await?
        ),
    }
}

/// Departments whose name or an alias is close to `input`, closest first:
/// those containing it or contained in it, then those within a small edit
/// distance (counted in characters, so 区发改局 is one step from 区发改委).
async fn suggestions<C: ConnectionTrait>(db: &C, input: &str) -> Result<Vec<department::Model>, sea_orm::DbErr> {
    /// Least similarity (0–1) of a name that is neither inside nor around the input.
    const MIN_SIMILARITY: f64 = 0.5;
    let departments = department::Entity::find().all(db).await?;
    let aliases = department_alias::Entity::find().all(db).await?;
    let names = departments
        .iter()
        .map(|d| (d.id.as_str(), d.name.as_str()))
        .chain(aliases.iter().map(|a| (a.department_id.as_str(), a.alias.as_str())));
    let mut best: HashMap<&str, f64> = HashMap::new();
    for (id, name) in names {
        let score = if name.contains(input) || input.contains(name) {
            1.0 + strsim::normalized_levenshtein(name, input)
        } else {
            strsim::normalized_levenshtein(name, input)
        };
        if score >= MIN_SIMILARITY {
            let entry = best.entry(id).or_insert(score);
            *entry = entry.max(score);
        }
    }
    let mut close: Vec<(f64, &department::Model)> =
        departments.iter().filter_map(|d| best.get(d.id.as_str()).map(|score| (*score, d))).collect();
    close.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    Ok(close.into_iter().take(MAX_SUGGESTIONS).map(|(_, d)| d.clone()).collect())
}

/// One line per department: name, region and global ID.
async fn listing<C: ConnectionTrait>(db: &C, departments: &[department::Model]) -> anyhow::Result<String> {
    let region_ids: Vec<String> = departments.iter().map(|d| d.region_id.clone()).unique().collect();
    let regions: HashMap<String, String> = region::Entity::find()
        .filter(region::Column::Id.is_in(region_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    Ok(departments
        .iter()
        .map(|d| {
            let region = regions.get(&d.region_id).map_or("?", String::as_str);
            format!("  {} ({region})  {}", d.name, to_global(NodeKind::Department, &d.id).0)
        })
        .join("\n"))
}
