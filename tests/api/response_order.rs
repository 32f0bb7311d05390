//! Response order: every object of a response lists its keys in the order the
//! request's selection set asks for them, read from the raw body text.

use crate::helpers::spawn_app;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::json;

/// A JSON document with the key order of its objects kept as written.
#[derive(Debug)]
enum Ordered {
    Object(Vec<(String, Ordered)>),
    List(Vec<Ordered>),
    Leaf,
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor;
        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Ordered>()? {
                    entries.push((key, value));
                }
                Ok(Ordered::Object(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Ordered::List(items))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Ordered, E> {
                Ok(Ordered::Leaf)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Ordered, E> {
                Ok(Ordered::Leaf)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Ordered, E> {
                Ok(Ordered::Leaf)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Ordered, E> {
                Ok(Ordered::Leaf)
            }
            fn visit_str<E>(self, _: &str) -> Result<Ordered, E> {
                Ok(Ordered::Leaf)
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Leaf)
            }
        }
        deserializer.deserialize_any(OrderedVisitor)
    }
}

impl Ordered {
    fn keys(&self) -> Vec<&str> {
        match self {
            Ordered::Object(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    fn get(&self, key: &str) -> &Ordered {
        match self {
            Ordered::Object(entries) => match entries.iter().find(|(k, _)| k == key) {
                Some((_, value)) => value,
                None => panic!("no key {key} in {:?}", self.keys()),
            },
            other => panic!("not an object: {other:?}"),
        }
    }

    fn items(&self) -> &[Ordered] {
        match self {
            Ordered::List(items) => items,
            other => panic!("not a list: {other:?}"),
        }
    }
}

/// Asks for the fields that wait on DataLoaders and SQL (connections,
/// `region`, `issuer`, `assignments`) before the plain ones, in an order that
/// differs from the schema's, with aliases and fragments.
const QUERY: &str = r#"
query Ordered {
  plans(first: 3) {
    nodes {
      tasks(first: 2) { pageInfo { hasNextPage } nodes { ...TaskFields } totalCount }
      issuer { region { name code } name }
      region { name }
      ... on Plan { heading: title }
      id
    }
    totalCount
    pageInfo { endCursor hasNextPage }
  }
  first: node(id: $id) { ... on Plan { region { code name } title } id __typename }
}
fragment TaskFields on Task { assignments { department { name } role } title id }
"#;

#[tokio::test]
async fn a_nested_response_keeps_the_order_of_the_selection_set() {
    let app = spawn_app().await;
    let first = app.data("{ plans(first: 1) { nodes { id } } }", json!({})).await;
    let id = first["plans"]["nodes"][0]["id"].as_str().expect("a plan").to_owned();
    let query = QUERY.replace("query Ordered {", "query Ordered($id: ID!) {");
    // Several times: the order must not depend on which resolver finishes first.
    for _ in 0..3 {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": query, "variables": { "id": id } }))
            .send()
            .await
            .expect("request");
        let text = response.text().await.expect("body");
        let body: Ordered = serde_json::from_str(&text).expect("JSON");
        assert_eq!(body.keys(), ["data"], "{text}");
        let data = body.get("data");
        assert_eq!(data.keys(), ["plans", "first"]);
        let plans = data.get("plans");
        assert_eq!(plans.keys(), ["nodes", "totalCount", "pageInfo"]);
        assert_eq!(plans.get("pageInfo").keys(), ["endCursor", "hasNextPage"]);
        let nodes = plans.get("nodes").items();
        assert_eq!(nodes.len(), 3, "{text}");
        for plan in nodes {
            assert_eq!(plan.keys(), ["tasks", "issuer", "region", "heading", "id"], "{text}");
            let issuer = plan.get("issuer");
            if matches!(issuer, Ordered::Object(_)) {
                assert_eq!(issuer.keys(), ["region", "name"]);
                if matches!(issuer.get("region"), Ordered::Object(_)) {
                    assert_eq!(issuer.get("region").keys(), ["name", "code"]);
                }
            }
            let tasks = plan.get("tasks");
            assert_eq!(tasks.keys(), ["pageInfo", "nodes", "totalCount"]);
            for task in tasks.get("nodes").items() {
                assert_eq!(task.keys(), ["assignments", "title", "id"], "{text}");
                for assignment in task.get("assignments").items() {
                    assert_eq!(assignment.keys(), ["department", "role"]);
                }
            }
        }
        let node = data.get("first");
        assert_eq!(node.keys(), ["region", "title", "id", "__typename"], "{text}");
        if matches!(node.get("region"), Ordered::Object(_)) {
            assert_eq!(node.get("region").keys(), ["code", "name"]);
        }
    }
}
