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

/// Every place of the served schema a person reads in GraphiQL's Docs pane
/// or a generated client: types, fields, arguments, input fields, enum
/// values and directives, each as `Type.field(arg)`.
fn undocumented_places(sdl: &str) -> Vec<String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let document = async_graphql::parser::parse_schema(sdl).expect("the served SDL parses");
    let mut missing = Vec::new();
    let mut check = |described: bool, place: String| {
        if !described {
            missing.push(place);
        }
    };
    let says_rust = |text: &str| text.contains("Implement the") || text.contains("DateTime<Utc>");
    for definition in &document.definitions {
        match definition {
            TypeSystemDefinition::Type(ty) => {
                let ty = &ty.node;
                let name = ty.name.node.as_str();
                let description = ty.description.as_ref().map(|d| d.node.as_str()).unwrap_or("");
                check(!description.trim().is_empty() && !says_rust(description), name.to_owned());
                let fields = match &ty.kind {
                    TypeKind::Object(object) => &object.fields,
                    TypeKind::Interface(interface) => &interface.fields,
                    TypeKind::InputObject(input) => {
                        for field in &input.fields {
                            check(field.node.description.is_some(), format!("{name}.{}", field.node.name.node));
                        }
                        continue;
                    }
                    TypeKind::Enum(enumeration) => {
                        for value in &enumeration.values {
                            check(value.node.description.is_some(), format!("{name}.{}", value.node.value.node));
                        }
                        continue;
                    }
                    TypeKind::Scalar => {
                        let specified = ty.directives.iter().any(|d| d.node.name.node == "specifiedBy");
                        check(specified, format!("{name} @specifiedBy"));
                        continue;
                    }
                    TypeKind::Union(_) => continue,
                };
                for field in fields {
                    let field = &field.node;
                    check(field.description.is_some(), format!("{name}.{}", field.name.node));
                    for argument in &field.arguments {
                        let described = argument.node.description.as_ref().is_some_and(|d| !d.node.trim().is_empty());
                        check(described, format!("{name}.{}({})", field.name.node, argument.node.name.node));
                    }
                }
            }
            TypeSystemDefinition::Directive(directive) => {
                let directive = &directive.node;
                check(directive.description.is_some(), format!("@{}", directive.name.node));
            }
            TypeSystemDefinition::Schema(_) => {}
        }
    }
    missing
}

#[test]
fn every_type_field_argument_and_value_is_described() {
    let missing = undocumented_places(&xietong::graphql::sdl());
    assert!(missing.is_empty(), "{} places of the schema have no description:\n{}", missing.len(), missing.join("\n"));
}

#[tokio::test]
async fn introspection_describes_the_schema_and_its_scalars() {
    let app = spawn_app().await;
    let data = app
        .data(
            r#"{ __schema { description }
                 dateTime: __type(name: "DateTime") { description specifiedByURL }
                 date: __type(name: "Date") { specifiedByURL }
                 json: __type(name: "JSON") { specifiedByURL }
                 edge: __type(name: "PlanEdge") { fields { name description } } }"#,
            serde_json::json!({}),
        )
        .await;
    let description = data["__schema"]["description"].as_str().unwrap();
    assert!(description.contains("协同"), "{description}");
    assert!(description.contains("Tianjin"), "{description}");
    assert!(!data["dateTime"]["description"].as_str().unwrap().contains("Implement"));
    for scalar in ["dateTime", "date", "json"] {
        assert!(data[scalar]["specifiedByURL"].as_str().is_some_and(|u| u.starts_with("https://")), "{scalar}: {data}");
    }
    for field in data["edge"]["fields"].as_array().unwrap() {
        let text = field["description"].as_str().unwrap();
        assert!(text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "English-only: {field}");
    }
}

#[tokio::test]
async fn the_schema_description_is_answered_through_aliases_fragments_and_beside_data() {
    let app = spawn_app().await;
    // Selecting data too, so the document runs on the schema with the complexity limit.
    let data = app
        .data(
            r#"query { plans(first: 1) { totalCount } ...About
                       s: __schema { d: description description: queryType { name } } }
               fragment About on Query { __schema { ... on __Schema { description } } }"#,
            serde_json::json!({}),
        )
        .await;
    assert!(data["plans"]["totalCount"].as_i64().is_some_and(|n| n > 0), "{data}");
    for answer in [&data["__schema"]["description"], &data["s"]["d"]] {
        assert!(answer.as_str().is_some_and(|text| text.contains("协同")), "{data}");
    }
    // A key named `description` that answers another field is left as it is.
    assert!(data["s"]["description"]["name"].is_string(), "{data}");
}

/// The contract guard of CHANGELOG.md, run as CI runs it: GraphQL Inspector
/// finds every breaking change since `docs/api/released-schema.graphql`, and
/// each must be recorded under "Unreleased" (or remove what was deprecated).
mod contract {
    use crate::client_guide::programs::{node_modules, root};
    use crate::helpers::needs_installed;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output};

    /// Runs the guard from a copy of it beside `modules`, on the given files.
    fn guard(modules: &Path, released: &Path, current: &Path, changelog: &Path) -> Output {
        let dir = tempfile::tempdir().expect("temp dir");
        let script = dir.path().join("schema-contract.mjs");
        std::fs::copy(root().join("tests/clients/schema-contract.mjs"), &script).expect("copy the guard");
        std::os::unix::fs::symlink(modules, dir.path().join("node_modules")).expect("link node_modules");
        Command::new("node").arg(&script).args([released, current, changelog]).output().expect("run node")
    }

    /// The client modules with GraphQL Inspector; a missing one skips the test, or fails it under CI.
    fn modules(test: &str) -> Option<PathBuf> {
        let found = node_modules(&["@graphql-inspector/core", "graphql"]);
        needs_installed(found.is_some(), test, "GraphQL Inspector (npm ci --prefix tests/clients)");
        found
    }

    fn text(output: &Output) -> String {
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
    }

    #[test]
    fn the_schema_keeps_the_released_contract_or_records_the_break() {
        let Some(modules) = modules("the_schema_keeps_the_released_contract_or_records_the_break") else { return };
        let released = root().join("docs/api/released-schema.graphql");
        let output = guard(&modules, &released, &root().join("schema.graphql"), &root().join("CHANGELOG.md"));
        assert!(output.status.success(), "{}", text(&output));
    }

    #[test]
    fn an_unrecorded_breaking_change_fails_the_guard_until_the_changelog_records_it() {
        let Some(modules) = modules("an_unrecorded_breaking_change_fails_the_guard_until_the_changelog_records_it")
        else {
            return;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let released = root().join("docs/api/released-schema.graphql");
        let sdl = std::fs::read_to_string(root().join("schema.graphql")).expect("read schema.graphql");
        let broken = sdl.replacen("\tsequence: Int!\n", "\tsequence: String!\n", 1);
        assert_ne!(broken, sdl, "the schema has Change.sequence: Int! to break");
        let current = dir.path().join("schema.graphql");
        std::fs::write(&current, broken).expect("write the broken schema");

        let changelog = dir.path().join("CHANGELOG.md");
        let mut log = std::fs::read_to_string(root().join("CHANGELOG.md")).expect("read CHANGELOG.md");
        std::fs::write(&changelog, &log).expect("write changelog");
        let refused = guard(&modules, &released, &current, &changelog);
        assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
        assert!(text(&refused).contains("FAIL Change.sequence"), "{}", text(&refused));

        log = log.replacen(
            "## Unreleased\n",
            "## Unreleased\n\n- **Breaking**: `Change.sequence` is a string now; parse it.\n",
            1,
        );
        std::fs::write(&changelog, &log).expect("write changelog");
        let accepted = guard(&modules, &released, &current, &changelog);
        assert!(accepted.status.success(), "{}", text(&accepted));
    }
}
