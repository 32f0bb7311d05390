//! Missing reports (缺报): the indicators that should have a value for a
//! period and have none, with the departments that should report it.

use super::{StatisticsFilter, indicator_select};
use crate::access::Viewer;
use crate::error::{AppError, AppResult};
use crate::service::latest_actuals;
use crate::service::progress::period_year;
use crate::service::writes::reports::valid_period;
use entity::enums::AssignmentRole;
use entity::{indicator, indicator_actual, indicator_target, plan, task_assignment};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use std::collections::HashMap;

/// An indicator without a value for the period.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingReport {
    pub indicator: indicator::Model,
    /// Who should report: the LEAD departments of the indicator's task, in
    /// document order; else the plan's issuer; else nobody.
    pub department_ids: Vec<String>,
    /// The latest period the indicator has a value for.
    pub last_period: Option<String>,
}

/// The visible indicators `filter` keeps that have a target due in or after
/// the year of `period` (with `filter.year`, also a target of that year) and
/// no value for `period` itself (any revision), in document order. Four
/// statements, whatever the number found.
///
/// # Errors
/// `BAD_USER_INPUT` when `period` is not `YYYY`, `YYYY-H1`, `YYYY-Q3` or `YYYY-MM`.
pub async fn missing_reports<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &StatisticsFilter,
    period: &str,
) -> AppResult<Vec<MissingReport>> {
    let year = period_year(period)
        .filter(|_| valid_period(period))
        .ok_or_else(|| AppError::bad_input("period", "must be YYYY, YYYY-H1, YYYY-Q3 or YYYY-MM"))?;
    let mut select = indicator_select(viewer, filter)
        .filter(indicator::Column::Id.in_subquery(targets_from(year)))
        .filter(indicator::Column::Id.not_in_subquery(reported_in(period)));
    if let Some(year) = filter.year {
        select = select.filter(indicator::Column::Id.in_subquery(crate::service::indicators_with_target_in(year)));
    }
    let found =
        select.clone().order_by_asc(indicator::Column::DocOrder).order_by_asc(indicator::Column::Id).all(db).await?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let column = |c: indicator::Column| select.clone().select_only().column(c).into_query();
    let leads = task_assignment::Entity::find()
        .filter(task_assignment::Column::Role.eq(AssignmentRole::Lead))
        .filter(task_assignment::Column::TaskId.in_subquery(column(indicator::Column::TaskId)))
        .order_by_asc(task_assignment::Column::Position);
    let issuers = plan::Entity::find()
        .select_only()
        .columns([plan::Column::Id, plan::Column::IssuerId])
        .filter(plan::Column::Id.in_subquery(column(indicator::Column::PlanId)))
        .into_tuple::<(String, Option<String>)>();
    let (leads, issuers, latest) = futures_util::try_join!(
        async { Ok::<_, AppError>(leads.all(db).await?) },
        async { Ok::<_, AppError>(issuers.all(db).await?) },
        latest_actuals::of_selected(db, column(indicator::Column::Id)),
    )?;
    let mut leads_of: HashMap<&str, Vec<String>> = HashMap::new();
    for lead in &leads {
        leads_of.entry(lead.task_id.as_str()).or_default().push(lead.department_id.clone());
    }
    let issuers: HashMap<String, Option<String>> = issuers.into_iter().collect();
    Ok(found
        .into_iter()
        .map(|indicator| {
            let leads = indicator.task_id.as_deref().and_then(|t| leads_of.get(t)).filter(|l| !l.is_empty());
            let department_ids = match leads {
                Some(leads) => leads.clone(),
                None => issuers.get(&indicator.plan_id).cloned().flatten().into_iter().collect(),
            };
            let last_period = latest.get(&indicator.id).map(|a| a.period.clone());
            MissingReport { indicator, department_ids, last_period }
        })
        .collect())
}

/// Subquery: indicators with a target due in `year` or later.
fn targets_from(year: i32) -> SelectStatement {
    Query::select()
        .column(indicator_target::Column::IndicatorId)
        .from(indicator_target::Entity)
        .and_where(indicator_target::Column::Year.gte(year))
        .to_owned()
}

/// Subquery: indicators with a value (any revision) for `period`.
fn reported_in(period: &str) -> SelectStatement {
    Query::select()
        .column(indicator_actual::Column::IndicatorId)
        .from(indicator_actual::Entity)
        .and_where(indicator_actual::Column::Period.eq(period))
        .to_owned()
}
