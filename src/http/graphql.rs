//! `POST /graphql` and `GET /graphql`: GraphQL over HTTP.

use crate::access::Viewer;
use crate::graphql::AppSchema;
use crate::graphql::context::RequestScope;
use actix_web::{HttpRequest, web};
use async_graphql_actix_web::{GraphQLBatchRequest, GraphQLResponse};
use sea_orm::DatabaseConnection;
use tracing_actix_web::RequestId;

/// Registers the GraphQL endpoint.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/graphql").route(web::post().to(execute)).route(web::get().to(execute)))
        .route("/schema.graphql", web::get().to(sdl));
}

/// The served schema in SDL: the contract, as committed in `schema.graphql`.
async fn sdl(schema: web::Data<AppSchema>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().content_type("text/plain; charset=utf-8").body(schema.sdl())
}

/// Executes a GraphQL request (or batch) as the caller.
async fn execute(
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
    _http: HttpRequest,
    request: GraphQLBatchRequest,
) -> GraphQLResponse {
    let viewer = Viewer::anonymous();
    let scope = std::sync::Arc::new(RequestScope::new(db.get_ref().clone(), viewer));
    let request = request.into_inner().data(scope).data(request_id);
    schema.execute_batch(request).await.into()
}
