//! The served schema is the contract in `schema.graphql`.

use crate::helpers::spawn_app;

#[test]
fn schema_graphql_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let sdl = xietong::graphql::sdl();
    if std::env::var("UPDATE_SCHEMA").is_ok() {
        std::fs::write(&path, &sdl).expect("write schema.graphql");
        return;
    }
    let committed = std::fs::read_to_string(&path).expect("read schema.graphql");
    assert!(
        committed == sdl,
        "schema.graphql differs from the schema the code serves; if the change is intended, run \
         `UPDATE_SCHEMA=1 cargo test --test api schema` and commit the file"
    );
}

#[tokio::test]
async fn the_served_schema_is_the_committed_contract() {
    let app = spawn_app().await;
    let served = app
        .client
        .get(format!("{}/schema.graphql", app.address))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    let committed = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql"))
        .expect("read schema.graphql");
    assert!(served == committed, "the running server serves a schema other than schema.graphql");
}
