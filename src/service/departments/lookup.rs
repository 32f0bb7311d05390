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

/// Departments whose name or an alias is close to `input`, closest first (see [`closest`]).
async fn suggestions<C: ConnectionTrait>(db: &C, input: &str) -> Result<Vec<department::Model>, sea_orm::DbErr> {
    let departments = department::Entity::find().all(db).await?;
    let aliases = department_alias::Entity::find().all(db).await?;
    Ok(closest(&departments, &aliases, input).into_iter().cloned().collect())
}

/// Of `departments`, those whose name or an alias (of `aliases`) is close to `input`, closest
/// first: those containing it or contained in it, then those within a small edit distance
/// (counted in characters, so 区发改局 is one step from 区发改委); at most [`MAX_SUGGESTIONS`].
fn closest<'a>(
    departments: &'a [department::Model],
    aliases: &[department_alias::Model],
    input: &str,
) -> Vec<&'a department::Model> {
    /// Least similarity (0–1) of a name that is neither inside nor around the input.
    const MIN_SIMILARITY: f64 = 0.5;
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
    close.into_iter().take(MAX_SUGGESTIONS).map(|(_, d)| d).collect()
}

/// Every department and alias, read once, to resolve many names without a statement each (an
/// import's responsible units).
///
/// Contract of [`Directory::resolve`]: a name or alias matching exactly one department is it; one
/// matching several is settled by the preferred region when exactly one of them is there; an
/// unknown or still ambiguous name is an error message for a person, with suggestions.
pub struct Directory {
    departments: Vec<department::Model>,
    aliases: Vec<department_alias::Model>,
}

impl Directory {
    /// Reads every department and alias.
    ///
    /// # Errors
    /// A store that cannot be read.
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            departments: department::Entity::find().order_by_asc(department::Column::Name).all(db).await?,
            aliases: department_alias::Entity::find().all(db).await?,
        })
    }

    /// The department `name` (a name or an alias) denotes, preferring `region_id`'s on a tie.
    ///
    /// # Errors
    /// What is wrong, for a person: "unknown department 区发改局 — did you mean 静海区发展改革委?".
    pub fn resolve(&self, name: &str, region_id: &str) -> Result<&department::Model, String> {
        let name = name.trim();
        let aliased: Vec<&str> =
            self.aliases.iter().filter(|a| a.alias == name).map(|a| a.department_id.as_str()).collect();
        let matches: Vec<&department::Model> =
            self.departments.iter().filter(|d| d.name == name || aliased.contains(&d.id.as_str())).collect();
        let in_region: Vec<&department::Model> = matches.iter().copied().filter(|d| d.region_id == region_id).collect();
        match (matches.as_slice(), in_region.as_slice()) {
            ([one], _) | (_, [one]) => Ok(one),
            ([], _) => {
                let close: Vec<&str> =
                    closest(&self.departments, &self.aliases, name).iter().take(3).map(|d| d.name.as_str()).collect();
                Err(if close.is_empty() {
                    format!("unknown department {name}")
                } else {
                    format!("unknown department {name} — did you mean {}?", close.join(" or "))
                })
            }
            (several, _) => Err(format!(
                "{name} names {} departments ({}); write the full name",
                several.len(),
                several.iter().map(|d| d.name.as_str()).join(", ")
            )),
        }
    }
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
