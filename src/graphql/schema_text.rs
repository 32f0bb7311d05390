//! What the schema says about itself where the Rust types cannot say it:
//! the schema's own description, and the descriptions of types that come
//! from elsewhere (chrono's `DateTime`), in the API's two languages. The
//! domain's enumerations are described by their mirrors in
//! [`super::types::enums`].
//!
//! Contract: [`describe`] is applied to the schema once at build time, and
//! [`SchemaText`] answers `__schema { description }`; the schema-lint test
//! (tests/api/schema.rs) fails on any type, field, argument or value left
//! without a description.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo};
use async_graphql::{ObjectType, SchemaBuilder, ServerResult, SubscriptionType, Value};
use std::sync::Arc;

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
        .extension(SchemaText)
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

/// Extension answering `__schema { description }` with [`SCHEMA_DESCRIPTION`]
/// (async-graphql's own is a generic sentence about GraphQL).
pub struct SchemaText;

impl ExtensionFactory for SchemaText {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SchemaTextExtension)
    }
}

struct SchemaTextExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for SchemaTextExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.parent_type == "__Schema" && info.name == "description" {
            return Ok(Some(Value::from(SCHEMA_DESCRIPTION)));
        }
        next.run(ctx, info).await
    }
}
