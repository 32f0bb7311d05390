//! xietong (协同): the GraphQL API through which Tianjin's city, district and
//! bureau systems and their Beijing and Hebei partners read and update one
//! body of green low-carbon and carbon-peaking coordination data.
//!
//! # Layout
//! - [`startup`]: builds and runs the application; [`config`]: command line
//!   and environment; [`telemetry`]: logs; [`db`]: connection and migrations;
//!   [`failure`]: how a failed command is reported.
//! - [`http`]: routes (GraphQL, GraphiQL, health).
//! - [`graphql`]: schema, thin resolvers, DataLoaders and API types.
//! - [`service`]: domain rules, one module per aggregate; [`access`]: who may
//!   see what, in one place; [`auth`]: who is calling (tokens); [`error`]: the
//!   error codes.
//! - [`seed`]: the default dataset, parsed from the source documents.
//! - [`ids`]: opaque, stable global IDs.
//! - [`generate`]: a large synthetic dataset for benchmarks.

pub mod access;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod failure;
pub mod generate;
pub mod graphql;
pub mod http;
pub mod ids;
pub mod seed;
pub mod service;
pub mod startup;
pub mod telemetry;
