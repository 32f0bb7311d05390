//! GraphQL mirrors of the domain's enumerations, with bilingual descriptions:
//! the stored ones (`entity::enums`), the caller's role, sort orders and the
//! progress verdict. The domain types carry no GraphQL derive; each mirror
//! converts to and from its domain type (`#[graphql(remote = "...")]`).

use crate::access;
use crate::service::{self, departments, indicators, plans, progress, regions, tasks};
use async_graphql::Enum;
use entity::enums as db;

/// 区域层级 — Level of a region in the administrative tree.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::RegionLevel")]
pub enum RegionLevel {
    /// 跨省区域（京津冀） — an area spanning provinces.
    Area,
    /// 省级（直辖市、省） — province level.
    Province,
    /// 地级或国家级新区（雄安新区） — prefecture level or state-level new area.
    Prefecture,
    /// 区县 — district or county.
    District,
}

/// 单位类型 — What sort of unit a department is.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::DepartmentKind")]
pub enum DepartmentKind {
    /// 人民政府 — a people's government.
    Government,
    /// 委办局 — a bureau, committee or office.
    Bureau,
    /// 企业或园区 — an enterprise or development-zone operator.
    Enterprise,
    /// 集合主体（各乡镇园区） — several units named as one.
    Collective,
}

/// 方案类型 — What sort of document a plan is.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::PlanKind")]
pub enum PlanKind {
    /// 实施方案 — implementation plan.
    ImplementationPlan,
    /// 行动方案 — action plan.
    ActionPlan,
    /// 年度重点工作 — annual priorities.
    AnnualPriorities,
    /// 协同措施 — coordination measures.
    CoordinationMeasures,
}

/// 协同记录类型 — What a Jing-Jin-Ji coordination record is.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::CoordinationKind")]
pub enum CoordinationKind {
    /// 机制 — a standing mechanism or institution (运行机制, 联动机制, 制度, 共同体, 协同创新中心).
    Mechanism,
    /// 工作组 — a working group.
    WorkingGroup,
    /// 会议 — a meeting, conference, exchange or press conference.
    Meeting,
    /// 协议 — an agreement signed, a joint declaration, a standard made common.
    Agreement,
    /// 联合行动 — a joint action: joint monitoring, enforcement, data sharing, water transfer, surveys.
    JointAction,
}

/// 目标类型 — How a target applies in time.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::TargetKind")]
pub enum TargetKind {
    /// 到某年 — a value to reach by `year` (到2025年).
    ByYear,
    /// 常设 — a standing rule with no year, in force throughout the plan (新建数据中心PUE不超过1.25).
    Standing,
    /// 每年 — a value for every year (每年新增…20家左右); judged against each year's actual.
    Annual,
    /// 自某年起 — a value for every year from `startYear` on (2023年起…不低于30%).
    FromYear,
    /// 隐含100% — 100 % implied by a phrase (全部, 全覆盖, 全面执行), kept in `phrase`.
    ImplicitFull,
    /// 定性 — a goal stated in words with no figure (到2025年，完成…循环化改造), by `year` when the
    /// text gives one; the words are `phrase`, `value` and `valueMax` are null and `comparator` is
    /// `EQ` (the stated state is reached or not). Actual values cannot judge it: its progress is
    /// `NO_DATA`.
    Qualitative,
}

/// 方案状态 — Lifecycle status of a plan.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::PlanStatus")]
pub enum PlanStatus {
    /// 草案 — draft.
    Draft,
    /// 现行有效 — in force.
    InForce,
    /// 已被替代 — superseded by a later plan.
    Superseded,
    /// 已废止 — repealed.
    Repealed,
    /// 已归档 — archived.
    Archived,
}

/// 共享类别 — Government data-sharing class (国发〔2016〕51号).
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::SharingClass")]
pub enum SharingClass {
    /// 主动公开 — readable by everyone, also without a token.
    Public,
    /// 无条件共享 — readable by every authenticated agency.
    Unconditional,
    /// 有条件共享 — readable within the record's jurisdiction, by assigned departments and grant holders.
    Conditional,
    /// 不予共享 — readable by the owner, coordinators of its region and administrators only.
    NotShared,
}

/// 任务层级 — Level of a node in a plan's task tree.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::TaskKind")]
pub enum TaskKind {
    /// 行动分组（一）… — an action group.
    ActionGroup,
    /// 编号任务 1. … — a numbered task.
    Task,
    /// 专栏 — a featured-project column.
    FeaturedProject,
}

/// 任务状态 — Progress state of a task.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::TaskStatus")]
pub enum TaskStatus {
    /// 未开始 — not started.
    NotStarted,
    /// 推进中 — in progress.
    InProgress,
    /// 已完成 — completed (only a LEAD department may close a task).
    Completed,
    /// 滞后 — delayed.
    Delayed,
    /// 已归档 — archived.
    Archived,
}

/// 责任角色 — Role of a department on a task.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::AssignmentRole")]
pub enum AssignmentRole {
    /// 牵头单位 — lead: listed first; may close the task.
    Lead,
    /// 配合单位 — support: reports its contribution.
    Support,
}

/// 计量方式 — How an indicator is measured.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::Measure")]
pub enum Measure {
    /// 数量 — a quantity with a unit.
    Quantity,
    /// 百分比 — a percentage.
    Percentage,
    /// 定性 — qualitative.
    Qualitative,
}

/// 指标方向 — Which way an indicator should move.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::Direction")]
pub enum IndicatorDirection {
    /// 越高越好 — higher is better.
    HigherIsBetter,
    /// 越低越好 — lower is better.
    LowerIsBetter,
    /// 保持 — keep at the target.
    Keep,
}

/// 指标属性 — 约束性 (binding) or 预期性 (expected).
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::Nature")]
pub enum Nature {
    /// 约束性 — binding.
    Binding,
    /// 预期性 — expected.
    Expected,
}

/// 比较方式 — How a target compares with the actual value.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::Comparator")]
pub enum Comparator {
    /// ≥（达到、不低于、以上）
    Gte,
    /// >（超过、高于）
    Gt,
    /// ≤（不高于、控制在、以内）
    Lte,
    /// <（低于）
    Lt,
    /// ≈（左右）
    Approx,
    /// =（保持）
    Eq,
    /// 区间 value..valueMax（2—3个、4至5条） — between value and valueMax.
    Between,
}

/// 数据状态 — Quality of a reported actual value.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "db::ActualStatus")]
pub enum ActualStatus {
    /// 初步数 — provisional.
    Provisional,
    /// 核定数 — verified.
    Verified,
    /// 估算数 — estimated.
    Estimated,
    /// 正式公布数 — final: published in an official document or report (the past results of the
    /// default dataset's texts).
    Final,
}

/// 角色 — The role a token grants its caller; see `Viewer.role`.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "access::Role")]
pub enum Role {
    /// 只读 — reads what its sharing class allows, writes nothing.
    Reader,
    /// 委办局 — reports progress and actuals on the tasks it is assigned to.
    Bureau,
    /// 统筹协调 — manages plans, tasks and indicators inside its jurisdiction.
    Coordinator,
    /// 管理员 — everything, including regions, departments and grants.
    Admin,
}

/// 进度判断 — Verdict on an indicator's progress towards its target.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "progress::ProgressStatus")]
pub enum ProgressStatus {
    /// 已完成 — the latest actual meets the target.
    Achieved,
    /// 进度正常 — at least as far along as the time elapsed.
    OnTrack,
    /// 存在风险 — somewhat behind schedule, or the schedule cannot be judged.
    AtRisk,
    /// 进度滞后 — far behind, or the target year passed without meeting it.
    OffTrack,
    /// 暂无数据 — no actual value (or no target) yet.
    NoData,
}

/// 排序方向 — Ascending or descending order.
#[derive(Enum, Clone, Copy, Default, PartialEq, Eq, Debug)]
#[graphql(remote = "service::Direction")]
pub enum OrderDirection {
    /// 升序 — ascending.
    #[default]
    Asc,
    /// 降序 — descending.
    Desc,
}

/// 区域排序字段 — What region lists can be sorted by.
#[derive(Enum, Clone, Copy, Default, PartialEq, Eq, Debug)]
#[graphql(remote = "regions::RegionOrderField")]
pub enum RegionOrderField {
    /// 行政区划代码 — by administrative code (regions without one first).
    #[default]
    Code,
    /// 名称 — by name.
    Name,
}

/// 单位排序字段 — What department lists can be sorted by.
#[derive(Enum, Clone, Copy, Default, PartialEq, Eq, Debug)]
#[graphql(remote = "departments::DepartmentOrderField")]
pub enum DepartmentOrderField {
    /// 名称 — by name.
    #[default]
    Name,
}

/// 方案排序字段 — What plan lists can be sorted by.
#[derive(Enum, Clone, Copy, Default, PartialEq, Eq, Debug)]
#[graphql(remote = "plans::PlanOrderField")]
pub enum PlanOrderField {
    /// 印发日期 — by issue date (undated plans first).
    #[default]
    IssuedOn,
    /// 标题 — by title.
    Title,
}

/// 任务排序字段 — What task lists can be sorted by.
#[derive(Enum, Clone, Copy, Default, PartialEq, Eq, Debug)]
#[graphql(remote = "tasks::TaskOrderField")]
pub enum TaskOrderField {
    /// 文件顺序 — in the order of the plan document.
    #[default]
    DocumentOrder,
    /// 标题 — by title.
    Title,
    /// 完成年份 — by due year (tasks without one first).
    DueYear,
}

/// 指标排序字段 — What indicator lists can be sorted by.
#[derive(Enum, Clone, Copy, Default, PartialEq, Eq, Debug)]
#[graphql(remote = "indicators::IndicatorOrderField")]
pub enum IndicatorOrderField {
    /// 文件顺序 — in the order of the plan document.
    #[default]
    DocumentOrder,
    /// 名称 — by name.
    Name,
}

/// 对象类型 — The kind of record a change is about; `Change.entity` holds the same name in PascalCase.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "ChangeEntity", remote = "crate::service::audit::AuditEntity")]
pub enum ChangeEntity {
    /// 方案 — A plan (`Plan`).
    Plan,
    /// 任务 — A task (`Task`).
    Task,
    /// 指标 — An indicator (`Indicator`).
    Indicator,
    /// 责任分工 — A department's LEAD or SUPPORT assignment to a task (`Assignment`).
    Assignment,
    /// 目标值 — An indicator's target for a year (`Target`).
    Target,
    /// 实际值 — A reported value of an indicator (`Actual`).
    Actual,
    /// 进展报告 — A progress report on a task (`ProgressReport`).
    ProgressReport,
    /// 区域 — A region (`Region`).
    Region,
    /// 部门 — A department (`Department`).
    Department,
    /// 部门别名 — Another spelling of a department's name (`DepartmentAlias`).
    DepartmentAlias,
    /// 授权 — An access grant opening a CONDITIONAL plan to a department (`Grant`; administrators only).
    Grant,
    /// 吊销令牌 — A revoked token (`RevokedToken`; administrators only).
    RevokedToken,
    /// 回调端点 — A webhook endpoint (`WebhookEndpoint`; administrators only).
    WebhookEndpoint,
}

/// 操作 — What a change did; `Change.action` holds the same name.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "ChangeAction", remote = "crate::service::audit::AuditAction")]
pub enum ChangeAction {
    /// 新建 — A record created.
    Create,
    /// 修改 — A record updated.
    Update,
    /// 移动 — A task placed under another parent or at another position.
    Move,
    /// 归档 — A record archived.
    Archive,
    /// 删除 — A record deleted.
    Delete,
    /// 授权 — An access grant given.
    Grant,
    /// 撤销 — An access grant or a token revoked.
    Revoke,
    /// 报告进展 — A progress report.
    ReportProgress,
    /// 报送实际值 — The first value of an indicator for a period.
    RecordActual,
    /// 修订实际值 — A later value for the same period, superseding the earlier one.
    ReviseActual,
    /// 停用 — A webhook endpoint switched off.
    Disable,
    /// 启用 — A webhook endpoint switched (back) on.
    Enable,
    /// 轮换密钥 — A webhook endpoint's signing secret replaced.
    RotateSecret,
}

/// 回调端点状态 — Where a webhook endpoint stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "WebhookEndpointStatus", remote = "crate::service::webhooks::EndpointStatus")]
pub enum WebhookEndpointStatus {
    /// 正常 — Changes are delivered as they commit.
    Active,
    /// 故障 — The receiver failed the configured number of attempts in a row; it is probed now and then and is
    /// ACTIVE again after a success or when re-enabled. Nothing is dropped: delivery resumes from its cursor.
    Failing,
    /// 已停用 — Switched off; delivery resumes from its cursor when it is enabled again.
    Disabled,
}

/// 投递状态 — Where the delivery of one change to one endpoint stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "WebhookDeliveryStatus", remote = "crate::service::webhooks::DeliveryStatus")]
pub enum WebhookDeliveryStatus {
    /// 已送达 — The receiver answered 2xx.
    Delivered,
    /// 重试中 — The last attempt failed; `nextAttemptAt` says when the next one is due.
    Retrying,
}
