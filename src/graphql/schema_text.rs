//! What the schema says about itself where the Rust types cannot say it:
//! the schema's own description, and the descriptions of types that come
//! from elsewhere (chrono's `DateTime`), in the API's two languages. The
//! domain's enumerations are described by their mirrors in
//! [`super::types::enums`].
//!
//! Contract: [`describe`] is applied to the schema once at build time, and
//! the request pipeline has [`answer_description`] answer `__schema {
//! description }` in every response; the schema-lint test
//! (tests/api/schema.rs) fails on any type, field, argument or value left
//! without a description.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ObjectType, SchemaBuilder, SubscriptionType, Value};

/// `__schema { description }`: what this API is, for GraphiQL and generated clients.
pub const SCHEMA_DESCRIPTION: &str = "协同 xietong — 京津冀绿色低碳与碳达峰协同数据接口：方案、任务、指标及责任单位，\
按共享类别控制访问。The GraphQL API through which Tianjin's city, district and bureau systems and their \
Beijing and Hebei partners read and update one body of green low-carbon and carbon-peaking coordination \
data — plans, their tasks, the indicators those tasks must move, and the departments responsible — under \
the sharing rules of each record. Lists are Relay connections; errors carry `extensions.code`; the \
contract is also served as SDL at /schema.graphql.";

/// Description of the `DateTime` scalar (chrono's, whose own text names Rust).
const DATE_TIME: &str = "日期时间 — An instant in RFC 3339 form with its UTC offset, e.g. `2024-05-01T08:30:00+00:00`; \
xietong answers in UTC.";

/// Gives the types described outside this layer their descriptions.
pub fn describe<Q, M, S>(builder: SchemaBuilder<Q, M, S>) -> SchemaBuilder<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    builder
        .override_output_type_description::<chrono::DateTime<chrono::Utc>>(DATE_TIME)
        .override_input_type_description::<chrono::DateTime<chrono::Utc>>(DATE_TIME)
}

/// The served SDL, with `@specifiedBy` on the scalars that have a specification.
pub fn sdl<Q, M, S>(schema: &async_graphql::Schema<Q, M, S>) -> String
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    schema.sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}

/// Puts [`SCHEMA_DESCRIPTION`] where `data` answers `__schema { description }`
/// for the operation whose selection set is `root` (async-graphql's own answer
/// is a fixed sentence about GraphQL in general). Fragments are followed;
/// keys the response lacks (skipped fields) stay absent.
pub fn answer_description(document: &ExecutableDocument, root: &SelectionSet, data: &mut Value) {
    let mut schema_keys = Vec::new();
    collect_fields(document, root, "__schema", &mut schema_keys);
    for (schema_key, schema_selection) in schema_keys {
        let Value::Object(answer) = data else { return };
        let Some(Value::Object(schema)) = answer.get_mut(schema_key) else { continue };
        let mut description_keys = Vec::new();
        collect_fields(document, schema_selection, "description", &mut description_keys);
        for (key, _) in description_keys {
            if let Some(value @ Value::String(_)) = schema.get_mut(key) {
                *value = Value::from(SCHEMA_DESCRIPTION);
            }
        }
    }
}

/// The response keys (and selection sets) of the fields named `name` that
/// `set` selects, through its fragments. The request pipeline has refused
/// fragment cycles and deep nesting before this runs.
fn collect_fields<'a>(
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    name: &str,
    found: &mut Vec<(&'a str, &'a SelectionSet)>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) if field.node.name.node == name => {
                found.push((field.node.response_key().node.as_str(), &field.node.selection_set.node));
            }
            Selection::Field(_) => {}
            Selection::InlineFragment(fragment) => {
                collect_fields(document, &fragment.node.selection_set.node, name, found)
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    collect_fields(document, &fragment.node.selection_set.node, name, found);
                }
            }
        }
    }
}
