//! Re-importing the default dataset removes the rows an older importer wrote
//! and the current one no longer produces (and says so in the seed report),
//! keeps the ID of every other record, and never removes a record created
//! through the API — nor a stale row that such a record still refers to.

use crate::helpers::{TestApp, spawn_app};
use entity::{indicator, indicator_target};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde_json::json;
use std::collections::BTreeSet;
use xietong::access::Role;
use xietong::ids::{NodeKind, from_global, stable_uuid, to_global};

const JINGHAI: &str = "静海区发展改革委";

/// Writes `model` and lists it as a row of `table` the importer wrote, as an
/// older importer would have.
async fn as_older_import<A: ActiveModelTrait + ActiveModelBehavior + Send>(
    app: &TestApp,
    table: &str,
    id: &str,
    model: A,
) where
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    model.insert(&app.db).await.expect("insert");
    let list = Query::insert()
        .into_table(Alias::new("seed_row"))
        .columns([Alias::new("table_name"), Alias::new("row_id")])
        .values_panic([table.into(), id.into()])
        .to_owned();
    app.db.execute(&list).await.expect("list as seeded");
}

async fn ids(app: &TestApp) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for list in ["plans", "tasks", "indicators", "departments", "coordinationRecords"] {
        ids.extend(app.all_nodes(list, "id").await.iter().map(|n| n["id"].as_str().unwrap_or("").to_owned()));
    }
    let targets = app.all_nodes("indicators", "targets { id } actuals(first: 100) { nodes { id } }").await;
    for i in &targets {
        ids.extend(i["targets"].as_array().expect("targets").iter().map(|t| t["id"].as_str().unwrap_or("").to_owned()));
        let actuals = i["actuals"]["nodes"].as_array().expect("actuals");
        ids.extend(actuals.iter().map(|a| a["id"].as_str().unwrap_or("").to_owned()));
    }
    ids
}

#[tokio::test]
async fn a_reimport_removes_what_an_older_importer_wrote_and_keeps_everything_else() {
    let app = spawn_app().await;
    let before = ids(&app).await;
    let seeded = indicator::Entity::find()
        .filter(indicator::Column::Name.eq("可再生能源电力装机容量"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("the Jinghai capacity indicator");
    let target = indicator_target::Entity::find()
        .filter(indicator_target::Column::IndicatorId.eq(seeded.id.as_str()))
        .one(&app.db)
        .await
        .expect("query")
        .expect("its 2025 target");

    // Two indicators an older importer read (one with a target), which the current one no longer produces.
    let stale = |n: u32, name: &str| indicator::Model {
        id: stable_uuid(NodeKind::Indicator, &format!("older-importer#goals#{n}")),
        name: name.to_owned(),
        doc_order: format!("{}:99999{n}", seeded.plan_id),
        ..seeded.clone()
    };
    let dropped = stale(1, "旧版导入的装机容量");
    let in_use = stale(2, "旧版导入且已填报的装机容量");
    let dropped_target = indicator_target::Model {
        id: stable_uuid(NodeKind::IndicatorTarget, "older-importer#goals#1|2025"),
        indicator_id: dropped.id.clone(),
        ..target.clone()
    };
    as_older_import(&app, "indicator", &dropped.id, dropped.clone().into_active_model()).await;
    as_older_import(&app, "indicator", &in_use.id, in_use.clone().into_active_model()).await;
    as_older_import(&app, "indicator_target", &dropped_target.id, dropped_target.clone().into_active_model()).await;

    // Through the API: a value reported on the second, and an indicator of the coordinator's own.
    let token = app.token(JINGHAI, Role::Coordinator).await;
    let reported = app
        .data_as(
            &token,
            "mutation($input: RecordActualInput!) { recordActual(input: $input) { actual { id } } }",
            json!({ "input": { "indicatorId": to_global(NodeKind::Indicator, &in_use.id).0, "period": "2024", "value": 12.0 } }),
        )
        .await;
    let reported = reported["recordActual"]["actual"]["id"].as_str().expect("actual id").to_owned();
    let plan = to_global(NodeKind::Plan, &seeded.plan_id).0;
    let created = app
        .data_as(
            &token,
            "mutation($input: CreateIndicatorInput!) { createIndicator(input: $input) { indicator { id } } }",
            json!({ "input": { "planId": plan, "name": "分布式光伏装机容量", "unit": "万千瓦", "measure": "QUANTITY",
                "direction": "HIGHER_IS_BETTER", "summable": true, "nature": "EXPECTED" } }),
        )
        .await;
    let created = created["createIndicator"]["indicator"]["id"].as_str().expect("indicator id").to_owned();

    let report = xietong::seed::run(&app.db).await.expect("re-import");
    let counts = |table: &str| report.tables.iter().find(|(t, _)| t == table).map(|(_, c)| *c).expect("table");
    assert_eq!((counts("indicator").removed, counts("indicator").kept), (1, 1), "{report}");
    assert_eq!((counts("indicator_target").removed, counts("indicator_target").kept), (1, 0), "{report}");
    let others = report.tables.iter().filter(|(t, _)| !t.starts_with("indicator"));
    assert!(others.clone().all(|(_, c)| c.removed == 0 && c.kept == 0), "{report}");
    assert!(report.tables.iter().all(|(_, c)| c.inserted == 0 && c.updated == 0), "{report}");
    let shown = report.to_string();
    assert!(shown.lines().any(|l| l.starts_with("indicator ") && l.ends_with("removed    1")), "{shown}");
    assert!(shown.contains("indicator          kept 1 no longer imported"), "{shown}");

    assert!(indicator::Entity::find_by_id(dropped.id.as_str()).one(&app.db).await.expect("query").is_none());
    assert!(
        indicator_target::Entity::find_by_id(dropped_target.id.as_str()).one(&app.db).await.expect("query").is_none()
    );
    let after = ids(&app).await;
    let mut expected = before.clone();
    expected.extend([to_global(NodeKind::Indicator, &in_use.id).0, reported, created.clone()]);
    assert_eq!(after, expected, "every other record keeps its ID; the API's records and the one they use stay");
    assert!(from_global(NodeKind::Indicator, &created, "id").is_ok());

    // Again: nothing more to remove, the row in use still kept.
    let again = xietong::seed::run(&app.db).await.expect("third import");
    let indicators = again.tables.iter().find(|(t, _)| t == "indicator").map(|(_, c)| *c).expect("indicator");
    assert_eq!((indicators.removed, indicators.kept), (0, 1), "{again}");
    assert_eq!(ids(&app).await, after);
}
