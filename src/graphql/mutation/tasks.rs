//! createTask, updateTask, moveTask, archiveTask, assignDepartment, unassignDepartment.

use super::write_context;
use crate::error::GqlResult;
use crate::graphql::types::common::decode_id;
use crate::graphql::types::enums::{AssignmentRole, SharingClass, TaskKind, TaskStatus};
use crate::graphql::types::task::{Assignment, Task};
use crate::ids::{NodeKind, from_global};
use crate::service::writes::tasks::{self, NewTask, TaskPatch};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

/// Task mutations.
#[derive(Default)]
pub struct TaskMutation;

/// 新建任务 — Input of createTask.
#[derive(InputObject)]
pub struct CreateTaskInput {
    /// 所属方案 — The plan.
    pub plan_id: ID,
    /// 上级任务 — The parent node, in the same plan; omitted for a top-level node.
    pub parent_id: Option<ID>,
    /// 层级 — Kind of node.
    pub kind: TaskKind,
    /// 位置编码 — Position code, e.g. `三.（三）.5`.
    pub code: String,
    /// 标题 — Title.
    pub title: String,
    /// 全文 — Full text.
    #[graphql(default)]
    pub body: String,
    /// 完成年份 — Due year.
    pub due_year: Option<i32>,
    /// 自身共享类别 — Own sharing class; omitted to inherit the plan's.
    pub sharing_class: Option<SharingClass>,
    /// 不予共享依据 — Legal basis for NOT_SHARED.
    pub legal_basis: Option<String>,
    /// 幂等键 — A retry with the same key returns the first result instead of a duplicate.
    pub idempotency_key: Option<String>,
}

/// 新建任务结果 — Result of createTask.
#[derive(SimpleObject)]
pub struct CreateTaskPayload {
    /// 任务 — The task.
    pub task: Task,
}

/// 修改任务 — Input of updateTask; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateTaskInput {
    /// 任务 — The task.
    pub id: ID,
    /// 期望版本 — The version the change is based on; a stale version is refused with CONFLICT.
    pub expected_version: i32,
    /// 位置编码 — Position code.
    pub code: Option<String>,
    /// 标题 — Title.
    pub title: Option<String>,
    /// 全文 — Full text.
    pub body: Option<String>,
    /// 完成年份 — Due year.
    pub due_year: Option<i32>,
    /// 状态 — Progress state.
    pub status: Option<TaskStatus>,
    /// 自身共享类别 — Own sharing class.
    pub sharing_class: Option<SharingClass>,
    /// 不予共享依据 — Legal basis for NOT_SHARED.
    pub legal_basis: Option<String>,
}

/// 修改任务结果 — Result of updateTask.
#[derive(SimpleObject)]
pub struct UpdateTaskPayload {
    /// 任务 — The task.
    pub task: Task,
}

/// 移动任务 — Input of moveTask.
#[derive(InputObject)]
pub struct MoveTaskInput {
    /// 任务 — The task.
    pub id: ID,
    /// 期望版本 — The version the change is based on.
    pub expected_version: i32,
    /// 新上级 — The new parent in the same plan; omitted to move to the top level.
    pub parent_id: Option<ID>,
    /// 新序号 — Position among the new siblings, from 0.
    #[graphql(default)]
    pub position: i32,
}

/// 移动任务结果 — Result of moveTask.
#[derive(SimpleObject)]
pub struct MoveTaskPayload {
    /// 任务 — The task.
    pub task: Task,
}

/// 归档任务 — Input of archiveTask.
#[derive(InputObject)]
pub struct ArchiveTaskInput {
    /// 任务 — The task.
    pub id: ID,
    /// 期望版本 — The version the change is based on.
    pub expected_version: i32,
}

/// 归档任务结果 — Result of archiveTask.
#[derive(SimpleObject)]
pub struct ArchiveTaskPayload {
    /// 任务 — The task, now ARCHIVED.
    pub task: Task,
}

/// 分配责任单位 — Input of assignDepartment.
#[derive(InputObject)]
pub struct AssignDepartmentInput {
    /// 任务 — The task.
    pub task_id: ID,
    /// 单位 — The department.
    pub department_id: ID,
    /// 角色 — LEAD or SUPPORT.
    pub role: AssignmentRole,
    /// 顺序 — Position in the list; omitted to append.
    pub position: Option<i32>,
}

/// 分配责任单位结果 — Result of assignDepartment.
#[derive(SimpleObject)]
pub struct AssignDepartmentPayload {
    /// 任务 — The task.
    pub task: Task,
    /// 分工 — The assignment.
    pub assignment: Assignment,
}

/// 取消责任单位 — Input of unassignDepartment.
#[derive(InputObject)]
pub struct UnassignDepartmentInput {
    /// 任务 — The task.
    pub task_id: ID,
    /// 单位 — The department.
    pub department_id: ID,
}

/// 取消责任单位结果 — Result of unassignDepartment.
#[derive(SimpleObject)]
pub struct UnassignDepartmentPayload {
    /// 任务 — The task.
    pub task: Task,
}

#[Object]
impl TaskMutation {
    /// 新建任务 — Creates a task (COORDINATOR of the plan's region, or ADMIN).
    async fn create_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `CreateTaskInput`.")] input: CreateTaskInput,
    ) -> async_graphql::Result<CreateTaskPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let new = NewTask {
            plan_id: from_global(NodeKind::Plan, &input.plan_id, "input.planId").gql()?,
            parent_id: decode_id(NodeKind::Task, &input.parent_id, "input.parentId").gql()?,
            kind: input.kind.into(),
            code: input.code,
            title: input.title,
            body: input.body,
            due_year: input.due_year,
            sharing_class: input.sharing_class.map(Into::into),
            legal_basis: input.legal_basis,
        };
        let task =
            tasks::create_task(&state.writer, viewer, &actor, new, input.idempotency_key.as_deref()).await.gql()?;
        Ok(CreateTaskPayload { task: Task(task) })
    }

    /// 修改任务 — Updates a task at `expectedVersion` (COORDINATOR of the plan's region, or ADMIN).
    async fn update_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `UpdateTaskInput`.")] input: UpdateTaskInput,
    ) -> async_graphql::Result<UpdateTaskPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::Task, &input.id, "input.id").gql()?;
        let patch = TaskPatch {
            code: input.code,
            title: input.title,
            body: input.body,
            due_year: input.due_year,
            status: input.status.map(Into::into),
            sharing_class: input.sharing_class.map(Into::into),
            legal_basis: input.legal_basis,
        };
        let task = tasks::update_task(&state.writer, viewer, &actor, &id, input.expected_version, patch).await.gql()?;
        Ok(UpdateTaskPayload { task: Task(task) })
    }

    /// 移动任务 — Moves a task within its plan's tree (no cycles).
    async fn move_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `MoveTaskInput`.")] input: MoveTaskInput,
    ) -> async_graphql::Result<MoveTaskPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::Task, &input.id, "input.id").gql()?;
        let parent = decode_id(NodeKind::Task, &input.parent_id, "input.parentId").gql()?;
        let task = tasks::move_task(&state.writer, viewer, &actor, &id, input.expected_version, parent, input.position)
            .await
            .gql()?;
        Ok(MoveTaskPayload { task: Task(task) })
    }

    /// 归档任务 — Archives a task.
    async fn archive_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `ArchiveTaskInput`.")] input: ArchiveTaskInput,
    ) -> async_graphql::Result<ArchiveTaskPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::Task, &input.id, "input.id").gql()?;
        let task = tasks::archive_task(&state.writer, viewer, &actor, &id, input.expected_version).await.gql()?;
        Ok(ArchiveTaskPayload { task: Task(task) })
    }

    /// 分配责任单位 — Assigns a department to a task (an existing assignment changes its role).
    async fn assign_department(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `AssignDepartmentInput`.")]
        input: AssignDepartmentInput,
    ) -> async_graphql::Result<AssignDepartmentPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let task_id = from_global(NodeKind::Task, &input.task_id, "input.taskId").gql()?;
        let department_id = from_global(NodeKind::Department, &input.department_id, "input.departmentId").gql()?;
        let (task, assignment) = tasks::assign_department(
            &state.writer,
            viewer,
            &actor,
            &task_id,
            &department_id,
            input.role.into(),
            input.position,
        )
        .await
        .gql()?;
        Ok(AssignDepartmentPayload { task: Task(task), assignment: Assignment(assignment) })
    }

    /// 取消责任单位 — Removes a department from a task.
    async fn unassign_department(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `UnassignDepartmentInput`.")]
        input: UnassignDepartmentInput,
    ) -> async_graphql::Result<UnassignDepartmentPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let task_id = from_global(NodeKind::Task, &input.task_id, "input.taskId").gql()?;
        let department_id = from_global(NodeKind::Department, &input.department_id, "input.departmentId").gql()?;
        let task = tasks::unassign_department(&state.writer, viewer, &actor, &task_id, &department_id).await.gql()?;
        Ok(UnassignDepartmentPayload { task: Task(task) })
    }
}
