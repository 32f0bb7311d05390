//! One DataLoader per relation, created per request so the caller's
//! visibility rules apply inside each batched statement.
//!
//! A request's statement count thus grows with the depth of its query, not
//! with the number of rows: every level of nesting issues one statement per
//! relation, whatever the page size. Nested connections (`paged_loader!`)
//! fetch only each parent's page in that statement.
//!
//! No timer decides what a batch holds: a request's loads run inside the
//! request's own task, driven by its [`LoadDriver`], and a batch starts only
//! when everything else in the request is waiting — that is, once every
//! resolver of the level has registered its keys.

use crate::access::Viewer;
use crate::error::{AppError, AppResult};
use crate::service::indicators::{IndicatorFilter, IndicatorOrderField};
use crate::service::page::{GroupedPage, PageArgs};
use crate::service::plans::{PlanFilter, PlanOrderField};
use crate::service::tasks::{TaskFilter, TaskOrderField};
use crate::service::{
    Direction, coordination, departments, indicators, latest_actuals, plans, projects, records, regions, tasks,
};
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{
    department, indicator, indicator_actual, indicator_target, plan, progress_report, project, project_size, region,
    source_document, task, task_assignment,
};
use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use tokio::sync::mpsc;

/// What every loader of one request shares.
pub struct Scope {
    pub db: DatabaseConnection,
    pub viewer: Viewer,
}

fn gql(error: AppError) -> Arc<async_graphql::Error> {
    Arc::new(error.into_graphql())
}

/// Declares a loader keyed by a record ID.
macro_rules! id_loader {
    ($(#[$doc:meta])* $name:ident => $value:ty, |$scope:ident, $keys:ident| $body:expr) => {
        $(#[$doc])*
        pub struct $name(Arc<Scope>);

        impl Loader<String> for $name {
            type Value = $value;
            type Error = Arc<async_graphql::Error>;

            async fn load(&self, keys: &[String]) -> Result<HashMap<String, $value>, Self::Error> {
                let $scope = &*self.0;
                let $keys = keys;
                let result: AppResult<HashMap<String, $value>> = $body.await;
                result.map_err(gql)
            }
        }
    };
}

id_loader!(
    /// Regions by ID.
    RegionById => region::Model, |s, keys| regions::by_ids(&s.db, keys)
);
id_loader!(
    /// Child regions of each region.
    RegionChildren => Vec<region::Model>, |s, keys| regions::children_of(&s.db, keys)
);
id_loader!(
    /// Record IDs of regions by administrative code (the key is the code).
    RegionIdByCode => String, |s, keys| regions::ids_by_codes(&s.db, keys)
);
id_loader!(
    /// Departments by ID.
    DepartmentById => department::Model, |s, keys| departments::by_ids(&s.db, keys)
);
id_loader!(
    /// Aliases of each department.
    DepartmentAliases => Vec<String>, |s, keys| departments::aliases_of(&s.db, keys)
);
id_loader!(
    /// Visible plans by ID.
    PlanById => plan::Model, |s, keys| plans::by_ids(&s.db, &s.viewer, keys)
);
id_loader!(
    /// Visible tasks by ID.
    TaskById => task::Model, |s, keys| tasks::by_ids(&s.db, &s.viewer, keys)
);
id_loader!(
    /// Assignments of each task.
    TaskAssignments => Vec<task_assignment::Model>, |s, keys| tasks::assignments_of(&s.db, keys)
);
id_loader!(
    /// Visible indicators by ID.
    IndicatorById => indicator::Model, |s, keys| indicators::by_ids(&s.db, &s.viewer, keys)
);
id_loader!(
    /// Targets of each indicator.
    IndicatorTargets => Vec<indicator_target::Model>, |s, keys| indicators::targets_of(&s.db, keys)
);
id_loader!(
    /// The current revision of the latest period of each indicator (for its progress).
    IndicatorLatestActual => indicator_actual::Model, |s, keys| latest_actuals::of(&s.db, keys)
);
id_loader!(
    /// Every actual of each indicator, every revision, by period then revision (for its trajectory).
    IndicatorAllActuals => Vec<indicator_actual::Model>, |s, keys| indicators::all_actuals_of(&s.db, keys)
);
id_loader!(
    /// The latest progress report of each task that has one.
    TaskLatestProgress => progress_report::Model, |s, keys| tasks::latest_reports_of(&s.db, keys)
);
id_loader!(
    /// Participating departments' IDs of each coordination record.
    CoordinationParticipants => Vec<String>, |s, keys| coordination::participants_of(&s.db, keys)
);
id_loader!(
    /// Regions' IDs of each coordination record.
    CoordinationRegions => Vec<String>, |s, keys| coordination::regions_of(&s.db, keys)
);
id_loader!(
    /// Visible key projects of each task, in document order.
    ProjectsOfTask => Vec<project::Model>, |s, keys| projects::of_tasks(&s.db, &s.viewer, keys)
);
id_loader!(
    /// Sizes of each project, in the order written.
    ProjectSizes => Vec<project_size::Model>, |s, keys| projects::sizes_of(&s.db, keys)
);
id_loader!(
    /// Responsible departments' IDs of each project.
    ProjectDepartments => Vec<String>, |s, keys| projects::departments_of(&s.db, keys)
);
id_loader!(
    /// Source documents by ID.
    SourceDocumentById => source_document::Model, |s, keys| records::source_documents_by_ids(&s.db, keys)
);

/// Groups `(parent, filter)` keys by filter and runs one batch per distinct filter.
async fn by_filter<F, V, Fut>(
    keys: &[(String, F)],
    mut batch: impl FnMut(F, Vec<String>) -> Fut,
) -> Result<HashMap<(String, F), V>, Arc<async_graphql::Error>>
where
    F: Clone + Eq + Hash,
    V: Default,
    Fut: std::future::Future<Output = AppResult<HashMap<String, V>>>,
{
    let mut by_filter: HashMap<F, Vec<String>> = HashMap::new();
    for (parent, filter) in keys {
        by_filter.entry(filter.clone()).or_default().push(parent.clone());
    }
    let mut out = HashMap::new();
    for (filter, parents) in by_filter {
        let mut groups = batch(filter.clone(), parents.clone()).await.map_err(gql)?;
        for parent in parents {
            let rows = groups.remove(&parent).unwrap_or_default();
            out.insert((parent, filter.clone()), rows);
        }
    }
    Ok(out)
}

/// Declares a loader of filtered children keyed by `(parent ID, filter)`.
macro_rules! filtered_loader {
    ($(#[$doc:meta])* $name:ident, $filter:ty => $value:ty, |$scope:ident, $f:ident, $parents:ident| $body:expr) => {
        $(#[$doc])*
        pub struct $name(Arc<Scope>);

        impl Loader<(String, $filter)> for $name {
            type Value = Vec<$value>;
            type Error = Arc<async_graphql::Error>;

            async fn load(
                &self,
                keys: &[(String, $filter)],
            ) -> Result<HashMap<(String, $filter), Vec<$value>>, Self::Error> {
                let $scope = &*self.0;
                by_filter(keys, |$f, $parents| async move { $body.await }).await
            }
        }
    };
}

/// What a nested connection asks of its parent: filter, sort field, direction,
/// paging arguments and whether `totalCount` is wanted.
pub type PageKey<F, O> = (F, O, Direction, PageArgs, bool);

/// Declares a loader of one page of filtered children per parent, keyed by
/// `(parent ID, PageKey)`: parents asking for the same page share one statement.
macro_rules! paged_loader {
    ($(#[$doc:meta])* $name:ident, $filter:ty, $order:ty => $value:ty, |$scope:ident, $k:ident, $parents:ident| $body:expr) => {
        $(#[$doc])*
        pub struct $name(Arc<Scope>);

        impl Loader<(String, PageKey<$filter, $order>)> for $name {
            type Value = GroupedPage<$value>;
            type Error = Arc<async_graphql::Error>;

            async fn load(
                &self,
                keys: &[(String, PageKey<$filter, $order>)],
            ) -> Result<HashMap<(String, PageKey<$filter, $order>), GroupedPage<$value>>, Self::Error> {
                let $scope = &*self.0;
                by_filter(keys, |$k, $parents| async move { $body.await }).await
            }
        }
    };
}

paged_loader!(
    /// One page of the visible plans of each region.
    PlansByRegion, PlanFilter, PlanOrderField => plan::Model,
    |s, k, parents| plans::pages_by_regions(&s.db, &s.viewer, &k.0, (k.1, k.2), &k.3, k.4, &parents)
);
paged_loader!(
    /// One page of the visible tasks of each plan.
    TasksByPlan, TaskFilter, TaskOrderField => task::Model,
    |s, k, parents| tasks::pages_by_plans(&s.db, &s.viewer, &k.0, (k.1, k.2), &k.3, k.4, &parents)
);
filtered_loader!(
    /// Visible tasks assigned to each department.
    TasksByDepartment, TaskFilter => task::Model,
    |s, f, parents| tasks::by_departments(&s.db, &s.viewer, &f, &parents)
);
paged_loader!(
    /// One page of the visible indicators of each plan.
    IndicatorsByPlan, IndicatorFilter, IndicatorOrderField => indicator::Model,
    |s, k, parents| indicators::pages_by_plans(&s.db, &s.viewer, &k.0, (k.1, k.2), &k.3, k.4, &parents)
);
paged_loader!(
    /// One page of the visible indicators of each task.
    IndicatorsByTask, IndicatorFilter, IndicatorOrderField => indicator::Model,
    |s, k, parents| indicators::pages_by_tasks(&s.db, &s.viewer, &k.0, (k.1, k.2), &k.3, k.4, &parents)
);
paged_loader!(
    /// One page of the visible indicators contributing to each indicator.
    IndicatorContributors, IndicatorFilter, IndicatorOrderField => indicator::Model,
    |s, k, parents| indicators::pages_by_contributed_to(&s.db, &s.viewer, &k.0, (k.1, k.2), &k.3, k.4, &parents)
);
paged_loader!(
    /// One page of the visible child tasks of each task.
    TaskChildren, TaskFilter, TaskOrderField => task::Model,
    |s, k, parents| tasks::pages_by_parents(&s.db, &s.viewer, &k.0, (k.1, k.2), &k.3, k.4, &parents)
);
paged_loader!(
    /// One page of the progress reports of each task, oldest first (no filter
    /// or order of its own: `()`).
    TaskProgressReports, (), () => progress_report::Model,
    |s, k, parents| tasks::report_pages_by_tasks(&s.db, &k.3, k.4, &parents)
);
paged_loader!(
    /// One page of the actuals of each indicator, by period then revision; the
    /// filter is whether superseded revisions are included.
    IndicatorActuals, bool, () => indicator_actual::Model,
    |s, k, parents| indicators::actual_pages_by_indicators(&s.db, k.0, &k.3, k.4, &parents)
);

/// A DataLoader that caches for the lifetime of its request (hashing its
/// keys with foldhash, not SipHash: every `load_one` looks its key up).
pub type Cached<T> = DataLoader<T, HashMapCache<foldhash::fast::RandomState>>;

/// The loaders of one request.
pub struct Loaders {
    pub region: Cached<RegionById>,
    pub region_children: Cached<RegionChildren>,
    pub region_id_by_code: Cached<RegionIdByCode>,
    pub department: Cached<DepartmentById>,
    pub department_aliases: Cached<DepartmentAliases>,
    pub plan: Cached<PlanById>,
    pub task: Cached<TaskById>,
    pub task_children: Cached<TaskChildren>,
    pub task_assignments: Cached<TaskAssignments>,
    pub task_reports: Cached<TaskProgressReports>,
    pub task_latest_report: Cached<TaskLatestProgress>,
    pub indicator: Cached<IndicatorById>,
    pub indicator_targets: Cached<IndicatorTargets>,
    pub indicator_actuals: Cached<IndicatorActuals>,
    pub indicator_latest_actual: Cached<IndicatorLatestActual>,
    pub indicator_all_actuals: Cached<IndicatorAllActuals>,
    pub source_document: Cached<SourceDocumentById>,
    pub plans_by_region: Cached<PlansByRegion>,
    pub tasks_by_plan: Cached<TasksByPlan>,
    pub tasks_by_department: Cached<TasksByDepartment>,
    pub indicators_by_plan: Cached<IndicatorsByPlan>,
    pub indicators_by_task: Cached<IndicatorsByTask>,
    pub indicator_contributors: Cached<IndicatorContributors>,
    pub coordination_participants: Cached<CoordinationParticipants>,
    pub coordination_regions: Cached<CoordinationRegions>,
    pub projects_of_task: Cached<ProjectsOfTask>,
    pub project_sizes: Cached<ProjectSizes>,
    pub project_departments: Cached<ProjectDepartments>,
}

impl Loaders {
    /// Turns caching off on every loader (for long-lived connections).
    pub fn disable_cache(&self) {
        self.region.enable_all_cache(false);
        self.region_children.enable_all_cache(false);
        self.region_id_by_code.enable_all_cache(false);
        self.department.enable_all_cache(false);
        self.department_aliases.enable_all_cache(false);
        self.plan.enable_all_cache(false);
        self.task.enable_all_cache(false);
        self.task_children.enable_all_cache(false);
        self.task_assignments.enable_all_cache(false);
        self.task_reports.enable_all_cache(false);
        self.task_latest_report.enable_all_cache(false);
        self.indicator.enable_all_cache(false);
        self.indicator_targets.enable_all_cache(false);
        self.indicator_actuals.enable_all_cache(false);
        self.indicator_latest_actual.enable_all_cache(false);
        self.indicator_all_actuals.enable_all_cache(false);
        self.source_document.enable_all_cache(false);
        self.plans_by_region.enable_all_cache(false);
        self.tasks_by_plan.enable_all_cache(false);
        self.tasks_by_department.enable_all_cache(false);
        self.indicators_by_plan.enable_all_cache(false);
        self.indicators_by_task.enable_all_cache(false);
        self.indicator_contributors.enable_all_cache(false);
        self.coordination_participants.enable_all_cache(false);
        self.coordination_regions.enable_all_cache(false);
        self.projects_of_task.enable_all_cache(false);
        self.project_sizes.enable_all_cache(false);
        self.project_departments.enable_all_cache(false);
    }

    /// Fresh loaders for one request by `viewer`, and the driver that runs
    /// their loads. They cache for the request's lifetime only.
    pub fn new(db: DatabaseConnection, viewer: Viewer) -> (Self, LoadDriver) {
        let scope = Arc::new(Scope { db, viewer });
        let (jobs, queued) = mpsc::unbounded_channel::<Load>();
        macro_rules! make {
            ($loader:ident) => {{
                let jobs = jobs.clone();
                // A load handed over after the driver stopped belongs to a request
                // that is gone: nothing waits for it.
                let queue = move |load: Load| drop(jobs.send(load));
                DataLoader::with_cache($loader(scope.clone()), queue, HashMapCache::new())
                    .max_batch_size(1000)
                    .delay(std::time::Duration::ZERO)
            }};
        }
        let loaders = Self {
            region: make!(RegionById),
            region_children: make!(RegionChildren),
            region_id_by_code: make!(RegionIdByCode),
            department: make!(DepartmentById),
            department_aliases: make!(DepartmentAliases),
            plan: make!(PlanById),
            task: make!(TaskById),
            task_children: make!(TaskChildren),
            task_assignments: make!(TaskAssignments),
            task_reports: make!(TaskProgressReports),
            task_latest_report: make!(TaskLatestProgress),
            indicator: make!(IndicatorById),
            indicator_targets: make!(IndicatorTargets),
            indicator_actuals: make!(IndicatorActuals),
            indicator_latest_actual: make!(IndicatorLatestActual),
            indicator_all_actuals: make!(IndicatorAllActuals),
            source_document: make!(SourceDocumentById),
            plans_by_region: make!(PlansByRegion),
            tasks_by_plan: make!(TasksByPlan),
            tasks_by_department: make!(TasksByDepartment),
            indicators_by_plan: make!(IndicatorsByPlan),
            indicators_by_task: make!(IndicatorsByTask),
            indicator_contributors: make!(IndicatorContributors),
            coordination_participants: make!(CoordinationParticipants),
            coordination_regions: make!(CoordinationRegions),
            projects_of_task: make!(ProjectsOfTask),
            project_sizes: make!(ProjectSizes),
            project_departments: make!(ProjectDepartments),
        };
        (loaders, LoadDriver { queued, running: FuturesUnordered::new() })
    }
}

/// One batch a DataLoader wants run.
type Load = BoxFuture<'static, ()>;

/// Runs the batches of one request's loaders inside the request's own task.
///
/// Contract: [`LoadDriver::drive`] polls the request first and starts the
/// queued batches only when the request is waiting, so a batch holds every
/// key its level asked for — one statement per relation and level, with no
/// timed window and no hop to another thread. Loaders whose driver is not
/// driving never load: a resolver awaiting one would wait forever, hence
/// `must_use`.
#[must_use = "the loaders of a request load only while its LoadDriver drives the request"]
pub struct LoadDriver {
    queued: mpsc::UnboundedReceiver<Load>,
    running: FuturesUnordered<Load>,
}

impl LoadDriver {
    /// Runs `request` to completion together with the loads it asks for.
    pub async fn drive<F: Future>(mut self, request: F) -> F::Output {
        let mut request = std::pin::pin!(request);
        std::future::poll_fn(move |cx| self.poll_with_loads(cx, |cx| request.as_mut().poll(cx))).await
    }

    /// The items of `stream` (a subscription), with the loads it asks for run
    /// between them; the loaders live as long as the stream.
    pub fn drive_stream<S: Stream + Send + 'static>(mut self, stream: S) -> impl Stream<Item = S::Item> + Send {
        let mut stream = Box::pin(stream);
        futures_util::stream::poll_fn(move |cx| self.poll_with_loads(cx, |cx| stream.as_mut().poll_next(cx)))
    }

    /// Polls the request; when it waits, starts what was queued and advances
    /// what runs. A batch that finishes wakes its resolvers, and so this task,
    /// which then polls the request again.
    ///
    /// A request that wakes itself while being polled is not waiting but
    /// yielding (a list of more than 32 items is resolved in slices of 32 by
    /// `FuturesUnordered`): it is polled again at once, so that the rest of
    /// its level registers its keys before any batch starts.
    fn poll_with_loads<T>(
        &mut self,
        cx: &mut Context<'_>,
        mut poll: impl FnMut(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        for _ in 0..MAX_YIELDS_PER_POLL {
            let probe = Arc::new(SelfWakeProbe { woken: AtomicBool::new(false), task: cx.waker().clone() });
            let waker = Waker::from(probe.clone());
            match poll(&mut Context::from_waker(&waker)) {
                Poll::Ready(output) => return Poll::Ready(output),
                Poll::Pending if probe.woken.load(Ordering::Acquire) => continue,
                Poll::Pending => break,
            }
        }
        while let Poll::Ready(Some(load)) = self.queued.poll_recv(cx) {
            self.running.push(load);
        }
        while let Poll::Ready(Some(())) = self.running.poll_next_unpin(cx) {}
        Poll::Pending
    }
}

/// How often one poll of a request re-polls a request that keeps yielding
/// before its queued batches start anyway (bounds the work of one poll).
const MAX_YIELDS_PER_POLL: usize = 64;

/// The waker a request is polled with: notes that it was woken, and passes
/// the wake-up on to the task.
struct SelfWakeProbe {
    woken: AtomicBool,
    task: Waker,
}

impl Wake for SelfWakeProbe {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake_by_ref();
    }
}
