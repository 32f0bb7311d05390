//! A plan's tables as a government office keeps them in a spreadsheet: the
//! task split table (任务分工表: 序号 / 重点任务 / 牵头单位 / 配合单位 / 完成时限)
//! and the indicator table (targets, the latest actual, progress), each under
//! two title rows (the plan's title; its document number and date).
//!
//! Contract: every row is read under the caller's visibility, exactly as the
//! API would answer it (tasks, indicators and the plan itself through their
//! services' `select`); a plan the caller may not see is `NOT_FOUND`. The
//! HTTP layer writes the [`Table`] as CSV or XLSX (`http::export`).

use super::indicators::{self, IndicatorFilter};
use super::progress::{self, ProgressStatus};
use super::tasks::{self, TaskFilter};
use super::{departments, latest_actuals, plans};
use crate::access::Viewer;
use crate::error::{AppError, AppResult};
use entity::enums::{AssignmentRole, Comparator, TargetKind};
use entity::{indicator, indicator_target, plan, task};
use sea_orm::{ConnectionTrait, QueryOrder};

/// One table of a plan, ready to be written as a spreadsheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file name without extension: the plan's title and the table's name.
    pub name: String,
    /// Rows above the header: the plan's title, then its document number and date.
    pub title: Vec<String>,
    /// Column headings, in Chinese as the office writes them.
    pub header: Vec<&'static str>,
    /// One row per task or indicator, in document order, each as long as `header`.
    pub rows: Vec<Vec<String>>,
}

/// Headings of the task split table.
pub const TASK_HEADER: [&str; 5] = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"];

/// Headings of the indicator table.
pub const INDICATOR_HEADER: [&str; 9] =
    ["序号", "指标名称", "单位", "基准值", "基准年", "目标", "最新实际值", "实际值期间", "进展状态"];

/// The task split table of `plan_id`: every task the caller may see, in
/// document order, its units in written order (牵头 then 配合).
///
/// # Errors
/// `NOT_FOUND` when the caller may not see the plan; store failures.
pub async fn task_table<C: ConnectionTrait>(db: &C, viewer: &Viewer, plan_id: &str) -> AppResult<Table> {
    let plan = visible_plan(db, viewer, plan_id).await?;
    let filter = TaskFilter { plan_id: Some(plan.id.clone()), ..TaskFilter::default() };
    let tasks: Vec<task::Model> = tasks::select(viewer, &filter).order_by_asc(task::Column::DocOrder).all(db).await?;
    let task_ids: Vec<String> = tasks.iter().map(|task| task.id.clone()).collect();
    let assignments = tasks::assignments_of(db, &task_ids).await?;
    let department_ids: Vec<String> =
        assignments.values().flatten().map(|assignment| assignment.department_id.clone()).collect();
    let names = departments::by_ids(db, &department_ids).await?;
    let units = |task: &task::Model, role: AssignmentRole| {
        let mut of_role: Vec<_> =
            assignments.get(&task.id).into_iter().flatten().filter(|assignment| assignment.role == role).collect();
        of_role.sort_by_key(|assignment| assignment.position);
        of_role
            .iter()
            .filter_map(|assignment| names.get(&assignment.department_id).map(|department| department.name.as_str()))
            .collect::<Vec<_>>()
            .join("、")
    };
    let rows = tasks
        .iter()
        .map(|task| {
            vec![
                task.code.clone(),
                task.title.clone(),
                units(task, AssignmentRole::Lead),
                units(task, AssignmentRole::Support),
                task.due_year.map(|year| format!("{year}年")).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(Table {
        name: format!("{}任务分工表", plan.title),
        title: title_rows(&plan),
        header: TASK_HEADER.to_vec(),
        rows,
    })
}

/// The indicator table of `plan_id`: every indicator the caller may see, in
/// document order, with its targets, its latest actual and its progress.
///
/// # Errors
/// `NOT_FOUND` when the caller may not see the plan; store failures.
pub async fn indicator_table<C: ConnectionTrait>(db: &C, viewer: &Viewer, plan_id: &str) -> AppResult<Table> {
    let plan = visible_plan(db, viewer, plan_id).await?;
    let filter = IndicatorFilter { plan_id: Some(plan.id.clone()), ..IndicatorFilter::default() };
    let list: Vec<indicator::Model> =
        indicators::select(viewer, &filter).order_by_asc(indicator::Column::DocOrder).all(db).await?;
    let ids: Vec<String> = list.iter().map(|indicator| indicator.id.clone()).collect();
    let targets = indicators::targets_of(db, &ids).await?;
    let latest = latest_actuals::of(db, &ids).await?;
    let rows = list
        .iter()
        .enumerate()
        .map(|(n, indicator)| {
            let targets = targets.get(&indicator.id).map(Vec::as_slice).unwrap_or_default();
            let actual = latest.get(&indicator.id);
            let progress =
                progress::compute(indicator, targets, actual.map(std::slice::from_ref).unwrap_or_default(), None);
            vec![
                (n + 1).to_string(),
                indicator.name.clone(),
                indicator.unit.clone(),
                indicator.baseline_value.map(number).unwrap_or_default(),
                indicator.baseline_year.map(|year| year.to_string()).unwrap_or_default(),
                targets.iter().map(target_text).collect::<Vec<_>>().join("；"),
                actual.map(|actual| number(actual.value)).unwrap_or_default(),
                actual.map(|actual| actual.period.clone()).unwrap_or_default(),
                status_text(progress.status).to_owned(),
            ]
        })
        .collect();
    Ok(Table {
        name: format!("{}指标表", plan.title),
        title: title_rows(&plan),
        header: INDICATOR_HEADER.to_vec(),
        rows,
    })
}

async fn visible_plan<C: ConnectionTrait>(db: &C, viewer: &Viewer, plan_id: &str) -> AppResult<plan::Model> {
    let mut found = plans::by_ids(db, viewer, &[plan_id.to_owned()]).await?;
    found.remove(plan_id).ok_or_else(|| AppError::not_found("plan", plan_id))
}

/// The plan's title, then 文号 and 印发日期 where the plan has them.
fn title_rows(plan: &plan::Model) -> Vec<String> {
    let mut second = Vec::new();
    if let Some(number) = &plan.document_number {
        second.push(format!("文号：{number}"));
    }
    if let Some(issued) = plan.issued_on {
        second.push(format!("印发日期：{}", issued.format("%Y年%-m月%-d日")));
    }
    vec![plan.title.clone(), second.join("　")]
}

/// A value as written in the tables: no trailing `.0`.
fn number(value: f64) -> String {
    let text = format!("{value}");
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

/// `2025年≥15`, `2030年10–15`, `每年约20`, `2023年起≥30`: a target as the plans write it; a
/// qualitative one by its words (`2025年完成…循环化改造`).
fn target_text(t: &indicator_target::Model) -> String {
    let Some(value) = t.value else {
        let words = t.phrase.clone().unwrap_or_default();
        return t.year.map_or_else(|| words.clone(), |year| format!("{year}年{words}"));
    };
    let value = number(value);
    let bound = match (t.comparator, t.value_max) {
        (Comparator::Between, Some(max)) => format!("{value}–{}", number(max)),
        (Comparator::Gte, _) => format!("≥{value}"),
        (Comparator::Gt, _) => format!(">{value}"),
        (Comparator::Lte, _) => format!("≤{value}"),
        (Comparator::Lt, _) => format!("<{value}"),
        (Comparator::Approx, _) => format!("约{value}"),
        (Comparator::Eq | Comparator::Between, _) => value,
    };
    match (t.kind, t.year, t.start_year) {
        (TargetKind::Annual, _, _) => format!("每年{bound}"),
        (TargetKind::FromYear, _, Some(start)) => format!("{start}年起{bound}"),
        (_, Some(year), _) => format!("{year}年{bound}"),
        (_, None, _) => bound,
    }
}

fn status_text(status: ProgressStatus) -> &'static str {
    match status {
        ProgressStatus::Achieved => "已完成",
        ProgressStatus::OnTrack => "进度正常",
        ProgressStatus::AtRisk => "存在风险",
        ProgressStatus::OffTrack => "进度滞后",
        ProgressStatus::NoData => "暂无数据",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_targets_are_written_as_the_plans_write_them() {
        assert_eq!(number(15.0), "15");
        assert_eq!(number(0.25), "0.25");
        let t = |year: Option<i32>, kind: TargetKind, comparator: Comparator, value: f64, value_max: Option<f64>| {
            let now = chrono::Utc::now();
            indicator_target::Model {
                id: String::new(),
                indicator_id: String::new(),
                year,
                kind,
                start_year: (kind == TargetKind::FromYear).then_some(2023),
                phrase: None,
                comparator,
                value: Some(value),
                value_max,
                source_document_id: None,
                source_section: None,
                source_quote: None,
                source_start: None,
                source_end: None,
                source_cleaned: None,
                version: 1,
                created_at: now,
                updated_at: now,
            }
        };
        assert_eq!(target_text(&t(Some(2025), TargetKind::ByYear, Comparator::Gte, 15.0, None)), "2025年≥15");
        assert_eq!(target_text(&t(Some(2030), TargetKind::ByYear, Comparator::Between, 5.0, Some(10.0))), "2030年5–10");
        assert_eq!(target_text(&t(Some(2025), TargetKind::ImplicitFull, Comparator::Eq, 100.0, None)), "2025年100");
        assert_eq!(target_text(&t(None, TargetKind::Standing, Comparator::Lte, 1.25, None)), "≤1.25");
        assert_eq!(target_text(&t(None, TargetKind::Annual, Comparator::Approx, 20.0, None)), "每年约20");
        assert_eq!(target_text(&t(None, TargetKind::FromYear, Comparator::Gte, 30.0, None)), "2023年起≥30");
        let words = indicator_target::Model {
            value: None,
            phrase: Some("完成天津唐官屯加工物流区循环化改造".into()),
            ..t(Some(2025), TargetKind::Qualitative, Comparator::Eq, 0.0, None)
        };
        assert_eq!(target_text(&words), "2025年完成天津唐官屯加工物流区循环化改造");
    }
}
