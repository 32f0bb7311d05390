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
