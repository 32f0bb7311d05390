//! Where generated plans go: Tianjin's districts, each with ten bureaus.

use super::insert::insert_chunked;
use crate::ids::{NodeKind, stable_uuid};
use anyhow::Context;
use chrono::{DateTime, Utc};
use entity::enums::{DepartmentKind, RegionLevel};
use entity::{department, region};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

/// The bureaus generated for each district, as `<district name><bureau>`.
const BUREAUS: [&str; 10] = [
    "发展改革委",
    "工业和信息化局",
    "生态环境局",
    "住建委",
    "交通局",
    "城市管理委",
    "农业农村委",
    "商务局",
    "科技局",
    "水务局",
];

/// Tianjin's districts, by administrative code.
///
/// # Errors
/// A store without Tianjin (120000), or one that cannot be read.
pub async fn tianjin_districts(db: &DatabaseConnection) -> anyhow::Result<Vec<region::Model>> {
    let tianjin = region::Entity::find()
        .filter(region::Column::Code.eq("120000"))
        .one(db)
        .await?
        .context("the store has no region 120000 (天津市); run `xietong seed` first")?;
    Ok(region::Entity::find()
        .filter(region::Column::ParentId.eq(tianjin.id))
        .filter(region::Column::Level.eq(RegionLevel::District))
        .order_by_asc(region::Column::Code)
        .all(db)
        .await?)
}

/// The IDs of the district's ten bureaus, creating the missing ones; and how many were created.
///
/// # Errors
/// A store that cannot be read or written.
pub async fn ensure_departments(
    db: &DatabaseConnection,
    district: &region::Model,
    now: DateTime<Utc>,
) -> anyhow::Result<(Vec<String>, u64)> {
    let existing =
        department::Entity::find().filter(department::Column::RegionId.eq(district.id.clone())).all(db).await?;
    let code = district.code.as_deref().unwrap_or("?");
    let mut ids = Vec::new();
    let mut missing = Vec::new();
    for bureau in BUREAUS {
        let name = format!("{}{bureau}", district.name);
        match existing.iter().find(|d| d.name == name) {
            Some(found) => ids.push(found.id.clone()),
            None => {
                let id = stable_uuid(NodeKind::Department, &format!("gen/{code}/{bureau}"));
                ids.push(id.clone());
                missing.push(department::Model {
                    id,
                    name,
                    kind: DepartmentKind::Bureau,
                    region_id: district.id.clone(),
                    parent_id: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                });
            }
        }
    }
    let created = missing.len() as u64;
    let txn = db.begin().await?;
    insert_chunked::<department::Entity, _>(&txn, missing).await?;
    txn.commit().await?;
    Ok((ids, created))
}
