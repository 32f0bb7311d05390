//! GraphQL object and input types. Each wraps a database model and converts
//! on the way out, so renaming a column never silently changes the API.

pub mod change;
pub mod common;
pub mod connection;
pub mod coordination;
pub mod department;
pub mod enums;
pub mod grant;
pub mod indicator;
pub mod plan;
pub mod project;
pub mod region;
pub mod statistics;
pub mod task;
pub mod viewer;
pub mod webhook;

use async_graphql::{ID, Interface};

/// 节点 — Any record with a global ID, fetchable with `node(id)`.
#[derive(Interface, Clone)]
#[graphql(field(name = "id", ty = "ID", desc = "全局标识 — Opaque, stable global ID."))]
pub enum Node {
    Region(region::Region),
    Department(department::Department),
    Plan(plan::Plan),
    Task(task::Task),
    Indicator(indicator::Indicator),
    Target(indicator::Target),
    Actual(indicator::Actual),
    Assignment(task::Assignment),
    ProgressReport(task::ProgressReport),
    Grant(grant::Grant),
    Change(change::Change),
    WebhookEndpoint(webhook::WebhookEndpoint),
    WebhookDelivery(webhook::WebhookDelivery),
    CoordinationRecord(coordination::CoordinationRecord),
    Project(project::Project),
}
