//! `xietong token issue`: prints a token the local server accepts.
//!
//! Contract: the department is named by its global ID, its name or one of its
//! aliases; a name that matches several departments is an error listing them
//! (name, region, ID), an unknown one an error with close names if any. The
//! token is signed HS256 with the secret the server uses (`--jwt-secret`, or
//! the secret file, generated when missing), with the configured issuer and
//! audience and a random `jti`. Only the token goes to standard output.

use super::issue::{TokenRequest, sign_hs256};
use super::keys::load_secret;
use super::settings::JwtAlgorithm;
use crate::config::{DatabaseSettings, IssueTokenArgs};
use crate::db;
use crate::ids::{NodeKind, from_global, to_global};
use anyhow::{Context, bail};
use entity::{department, department_alias, region};
use itertools::Itertools;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// Most close names suggested for an unknown department.
const MAX_SUGGESTIONS: usize = 10;

/// Runs `xietong token issue` and returns the token.
///
/// # Errors
/// An unknown or ambiguous department, a configuration that does not accept
/// HS256, an unreadable secret, or an unreachable database.
pub async fn issue(database: &DatabaseSettings, args: &IssueTokenArgs) -> anyhow::Result<String> {
    if !args.auth.jwt_algorithms.is_empty() && !args.auth.jwt_algorithms.contains(&JwtAlgorithm::Hs256) {
        bail!("--jwt-algorithms does not accept HS256, so the server would refuse a locally signed token");
    }
    let conn = db::connect(database).await.context("connecting to the database")?;
    let department = resolve_department(&conn, &args.dept).await;
    conn.close().await.ok();
    let department = department?;
    let secret = load_secret(&args.auth, &database.database_url)?;
    let request = TokenRequest {
        subject: args.subject.clone().unwrap_or_else(default_subject),
        department: to_global(NodeKind::Department, &department.id).0,
        role: args.role,
        client: args.client.clone(),
        ttl: args.ttl,
    };
    let (token, claims) = sign_hs256(&secret, &args.auth.jwt_issuer, &args.auth.jwt_audience, &request)?;
    tracing::info!(
        department = %department.name, role = %claims.role, subject = %claims.sub, jti = %claims.jti, exp = claims.exp,
        "issued a token"
    );
    Ok(token)
}

/// The subject when `--subject` is not given: the local user name, or `xietong-cli`.
fn default_subject() -> String {
    std::env::var("USER").ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| "xietong-cli".into())
}

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
            sea_orm::Condition::any()
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
