//! Writing many rows at once: multi-row INSERTs of bounded size.

use sea_orm::{ConnectionTrait, EntityTrait, IntoActiveModel};

/// Rows per multi-row INSERT. The widest table (indicator, 24 columns) then binds
/// 24,000 parameters per statement, under SQLite's limit of 32,766.
pub const CHUNK_ROWS: usize = 1000;

/// Inserts `rows` in multi-row statements of at most [`CHUNK_ROWS`] rows; returns how many it wrote.
///
/// # Errors
/// The first failed statement's.
pub async fn insert_chunked<E, C>(db: &C, rows: Vec<E::Model>) -> anyhow::Result<u64>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    C: ConnectionTrait,
{
    let mut written = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> =
            rows.by_ref().take(CHUNK_ROWS).map(IntoActiveModel::into_active_model).collect();
        written += chunk.len() as u64;
        E::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(written)
}
