//! End-to-end tests: a real server on a random port with a fresh database
//! (SQLite by default; PostgreSQL when `DATABASE_URL` names one).

mod dataset;
mod graphiql_browser;
mod helpers;
mod paging;
mod queries;
mod schema;
