//! End-to-end tests: a real server on a random port with a fresh database
//! (SQLite by default; PostgreSQL when `DATABASE_URL` names one).

// A failed expectation in a test is a test failure, which is what panics are for here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin_mutations;
mod architecture;
mod auth_tokens;
mod authorization;
mod browser;
mod client_guide;
mod command_line;
mod coordination;
mod cors;
mod cors_browser;
mod dashboard_browser;
mod dataset;
mod export;
mod faults;
mod fuzz;
mod graphiql_browser;
mod graphiql_build;
mod helpers;
mod hostile_documents;
mod hostile_inputs;
mod http_conformance;
mod imports;
mod indicator_mutations;
mod limits;
mod metrics;
mod mutations;
mod paging;
mod persisted_queries;
mod process;
mod projects;
mod queries;
mod rate_limit;
mod recall;
mod reimport;
mod relay;
mod response_order;
mod schema;
mod statements;
mod statistics;
mod subscriptions;
mod task_imports;
mod webhook_bench;
mod webhooks;
mod websocket;
mod websocket_bench;
mod websocket_client;
