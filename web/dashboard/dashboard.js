// xietong 协同 — the supervision dashboard (/dashboard), built only on the public GraphQL API.
//
// Views (`?view=`): overview (per plan), region, department, indicators, indicator (one
// indicator's chart). Filters (plan, region, department, year) and the view live in the URL, so
// a view can be shared or bookmarked; every figure on the page is an aggregate query's answer
// (`statistics`, `overdueTasks`) or a list query's, under the caller's visibility. Charts are
// Apache ECharts on canvas; their tooltips render as canvas text (no HTML). The live feed is the
// `changed` subscription over graphql-transport-ws (graphql-ws client), newest first.
"use strict";

(function () {
  const { el, fill, gql, label, percent, dateTime, TASK_STATUS, PROGRESS_STATUS, ROLE } = window.XT;

  const COUNTS = `
    tasks { total notStarted inProgress completed delayed archived completedShare }
    indicators { total achieved onTrack atRisk offTrack noData achievedShare }
    overdueTasks lastReportAt`;

  const QUERIES = {
    overview: `query DashboardOverview($filter: StatisticsFilter) {
      total: statistics(groupBy: NONE, filter: $filter) { ${COUNTS} }
      groups: statistics(groupBy: PLAN, filter: $filter) { plan { id title region { name } } ${COUNTS} }
    }`,
    region: `query DashboardByRegion($filter: StatisticsFilter) {
      total: statistics(groupBy: NONE, filter: $filter) { ${COUNTS} }
      groups: statistics(groupBy: REGION, filter: $filter) { region { id name nameEn level } ${COUNTS} }
    }`,
    department: `query DashboardByDepartment($filter: StatisticsFilter) {
      total: statistics(groupBy: NONE, filter: $filter) { ${COUNTS} }
      groups: statistics(groupBy: DEPARTMENT, filter: $filter) { department { id name region { name } } role ${COUNTS} }
      overdue: overdueTasks(filter: $filter, first: 50) {
        totalCount
        nodes { id code title dueYear status plan { title } assignments { role department { name } } }
      }
    }`,
    indicators: `query DashboardIndicators($filter: IndicatorFilter, $year: Int) {
      indicators(filter: $filter, first: 100) {
        totalCount
        nodes {
          id name unit
          plan { title }
          region { name }
          progress(year: $year) { status share latestActual { period value } target { year comparator value phrase } }
        }
      }
    }`,
    indicator: `query DashboardIndicator($id: ID!) {
      node(id: $id) {
        ... on Indicator {
          id name unit direction
          plan { id title }
          region { name }
          task { code title }
          provenance { quote section document { title } }
          progress { status share }
          trajectory {
            baseline { year value }
            targets { year comparator value valueMax provenance { quote } }
            actuals { id period value status revision reason supersedesId reportedAt }
            path { year value }
          }
        }
      }
    }`,
    options: `query DashboardFilterOptions {
      plans(first: 100) { nodes { id title } }
      regions(first: 100) { nodes { id name level } }
    }`,
    departments: `query DashboardDepartments($after: String) {
      departments(first: 100, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } }
    }`,
    provinces: `query DashboardProvinces {
      regions(first: 100) { nodes { id name level } }
    }`,
    recent: `query DashboardRecentChanges {
      changes(last: 12) { nodes { sequence occurredAt entity action actorDepartment { name } plan { title } } }
    }`,
  };

  const FEED_SUBSCRIPTION = `subscription DashboardFeed {
    changed { cursor change { sequence occurredAt entity action actorDepartment { name } plan { title } } }
  }`;

  const VIEWS = ["overview", "region", "department", "indicators", "indicator"];

  /** The state in the URL: view and filters. */
  function readState() {
    const params = new URLSearchParams(window.location.search);
    const view = VIEWS.includes(params.get("view")) ? params.get("view") : "overview";
    const year = parseInt(params.get("year"), 10);
    return {
      view,
      plan: params.get("plan") || "",
      region: params.get("region") || "",
      department: params.get("department") || "",
      year: Number.isFinite(year) ? year : null,
      indicator: params.get("indicator") || "",
    };
  }

  function urlOf(state) {
    const params = new URLSearchParams();
    params.set("view", state.view);
    for (const key of ["plan", "region", "department", "year", "indicator"]) {
      if (state[key] !== null && state[key] !== "") params.set(key, state[key]);
    }
    return "?" + params.toString();
  }

  function navigate(changes) {
    const state = Object.assign(readState(), changes);
    if (state.view !== "indicator") state.indicator = "";
    window.history.pushState(null, "", urlOf(state));
    render();
  }

  function statisticsFilter(state) {
    const filter = {};
    if (state.plan) filter.planId = state.plan;
    if (state.region) filter.regionId = state.region;
    if (state.department) filter.departmentId = state.department;
    if (state.year !== null) filter.year = state.year;
    return filter;
  }

  // ---- charts ---------------------------------------------------------------------------------

  const charts = [];

  function disposeCharts() {
    while (charts.length) charts.pop().dispose();
  }

  /** An ECharts instance in a new box; tooltips as canvas text. */
  function chart(container, option, id) {
    const box = el("div", { class: "chart", id, role: "img", "aria-label": option.title && option.title.text });
    container.append(box);
    const instance = window.echarts.init(box, null, { renderer: "canvas" });
    instance.setOption(Object.assign({ animation: false }, option));
    charts.push(instance);
    return instance;
  }

  const PROGRESS_COLORS = {
    ACHIEVED: "#2e7d32",
    ON_TRACK: "#66bb6a",
    AT_RISK: "#f9a825",
    OFF_TRACK: "#c62828",
    NO_DATA: "#9e9e9e",
  };
  const TASK_COLORS = {
    NOT_STARTED: "#9e9e9e",
    IN_PROGRESS: "#1e88e5",
    COMPLETED: "#2e7d32",
    DELAYED: "#c62828",
    ARCHIVED: "#6d4c41",
  };
  const TASK_FIELDS = [
    ["NOT_STARTED", "notStarted"],
    ["IN_PROGRESS", "inProgress"],
    ["COMPLETED", "completed"],
    ["DELAYED", "delayed"],
    ["ARCHIVED", "archived"],
  ];
  const PROGRESS_FIELDS = [
    ["ACHIEVED", "achieved"],
    ["ON_TRACK", "onTrack"],
    ["AT_RISK", "atRisk"],
    ["OFF_TRACK", "offTrack"],
    ["NO_DATA", "noData"],
  ];

  /** A horizontal stacked bar chart: one bar per group, one stack per status. */
  function stackedBars(container, id, title, names, groups, part, fields, labels, colors) {
    const height = Math.max(240, 90 + names.length * 28);
    const option = {
      title: { text: title, left: 0, top: 0, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      legend: { type: "scroll", top: 28, left: 0 },
      grid: { left: 8, right: 24, top: 64, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 260, overflow: "truncate" } },
      series: fields.map(([status, field]) => ({
        name: label(labels, status),
        type: "bar",
        stack: "all",
        itemStyle: { color: colors[status] },
        data: groups.map((g) => g[part][field]),
      })),
    };
    const instance = chart(container, option, id);
    instance.getDom().style.height = height + "px";
    instance.resize();
    return instance;
  }

  // ---- shared pieces --------------------------------------------------------------------------

  /** The four headline figures; `total` is the one group of `statistics(groupBy: NONE)`. */
  function summaryCards(total) {
    if (!total) return el("p", { class: "muted", text: "没有可见的数据 — nothing visible to you." });
    const t = total.tasks;
    const i = total.indicators;
    const card = (id, title, value, note) =>
      el("div", { class: "card", id }, el("div", { class: "card-title", text: title }), el("div", { class: "card-value", text: value }), el("div", { class: "muted", text: note }));
    return el(
      "div",
      { class: "cards" },
      card("card-tasks", "任务 Tasks", t.total, `已完成 ${t.completed} · 完成率 ${percent(t.completedShare)}`),
      card("card-indicators", "指标 Indicators", i.total, `已达标 ${i.achieved} · 达标率 ${percent(i.achievedShare)}`),
      card("card-overdue", "逾期任务 Overdue tasks", total.overdueTasks, "到期未完成 due year passed, not completed"),
      card("card-last-report", "最近填报 Last report", dateTime(total.lastReportAt), "进展或实际值 progress or actual"),
    );
  }

  function countsTable(id, keyHeader, rows) {
    const head = el(
      "tr",
      {},
      el("th", { text: keyHeader }),
      el("th", { text: "任务合计 Tasks" }),
      TASK_FIELDS.map(([s]) => el("th", { text: label(TASK_STATUS, s) })),
      el("th", { text: "任务完成率 Tasks done" }),
      el("th", { text: "指标合计 Indicators" }),
      PROGRESS_FIELDS.map(([s]) => el("th", { text: label(PROGRESS_STATUS, s) })),
      el("th", { text: "逾期 Overdue" }),
      el("th", { text: "最近填报 Last report" }),
    );
    const body = rows.map(({ key, group }) =>
      el(
        "tr",
        { dataset: { key: key.id || "" } },
        el("th", { scope: "row" }, key.node),
        el("td", { class: "num", dataset: { field: "tasks.total" }, text: group.tasks.total }),
        TASK_FIELDS.map(([, f]) => el("td", { class: "num", dataset: { field: "tasks." + f }, text: group.tasks[f] })),
        el("td", { class: "num", dataset: { field: "tasks.completedShare" }, text: percent(group.tasks.completedShare) }),
        el("td", { class: "num", dataset: { field: "indicators.total" }, text: group.indicators.total }),
        PROGRESS_FIELDS.map(([, f]) =>
          el("td", { class: "num", dataset: { field: "indicators." + f }, text: group.indicators[f] }),
        ),
        el("td", { class: "num", dataset: { field: "overdueTasks" }, text: group.overdueTasks }),
        el("td", { text: dateTime(group.lastReportAt) }),
      ),
    );
    return el("table", { class: "counts", id }, el("thead", {}, head), el("tbody", {}, body));
  }

  function link(text, changes) {
    const state = Object.assign(readState(), changes);
    return el("a", {
      href: urlOf(state),
      text,
      onclick: (event) => {
        event.preventDefault();
        navigate(changes);
      },
    });
  }

  // ---- views ----------------------------------------------------------------------------------

  /** Groups in reading order: by the name `nameOf` gives (Chinese collation), then LEAD before SUPPORT. */
  function sorted(groups, nameOf) {
    const order = (g) => (g.role === "SUPPORT" ? 1 : 0);
    return groups.slice().sort((a, b) => nameOf(a).localeCompare(nameOf(b), "zh-CN") || order(a) - order(b));
  }

  async function overview(content, state) {
    const data = await gql(QUERIES.overview, { filter: statisticsFilter(state) });
    data.groups = sorted(data.groups, (g) => g.plan.title);
    const names = data.groups.map((g) => g.plan.title);
    fill(content, el("h2", { text: "总览：各方案任务与指标 Overview by plan" }), summaryCards(data.total[0]));
    const charts = el("div", { class: "chart-row" });
    content.append(charts);
    stackedBars(charts, "chart-plan-tasks", "任务状态 Tasks by status", names, data.groups, "tasks", TASK_FIELDS, TASK_STATUS, TASK_COLORS);
    stackedBars(charts, "chart-plan-indicators", "指标进度 Indicators by progress", names, data.groups, "indicators", PROGRESS_FIELDS, PROGRESS_STATUS, PROGRESS_COLORS);
    content.append(
      countsTable(
        "table-plans",
        "方案 Plan",
        data.groups.map((g) => ({
          key: { id: g.plan.id, node: link(g.plan.title, { view: "indicators", plan: g.plan.id }) },
          group: g,
        })),
      ),
    );
  }

  async function byRegion(content, state) {
    const data = await gql(QUERIES.region, { filter: statisticsFilter(state) });
    const LEVELS = { AREA: 0, PROVINCE: 1, PREFECTURE: 2, DISTRICT: 3 };
    data.groups = data.groups
      .slice()
      .sort((a, b) => (LEVELS[a.region.level] ?? 9) - (LEVELS[b.region.level] ?? 9) || a.region.name.localeCompare(b.region.name, "zh-CN"));
    const names = data.groups.map((g) => g.region.name);
    fill(content, el("h2", { text: "按地区：天津各区与京冀协同方 By region" }), summaryCards(data.total[0]));
    const charts = el("div", { class: "chart-row" });
    content.append(charts);
    stackedBars(charts, "chart-region-tasks", "任务状态 Tasks by status", names, data.groups, "tasks", TASK_FIELDS, TASK_STATUS, TASK_COLORS);
    stackedBars(charts, "chart-region-indicators", "指标进度 Indicators by progress", names, data.groups, "indicators", PROGRESS_FIELDS, PROGRESS_STATUS, PROGRESS_COLORS);
    await partners(content);
    content.append(
      countsTable(
        "table-regions",
        "地区 Region",
        data.groups.map((g) => ({ key: { id: g.region.id, node: link(g.region.name, { view: "overview", region: g.region.id }) }, group: g })),
      ),
    );
  }

  /**
   * The Jing-Jin-Ji partners side by side: for Beijing, Tianjin and Hebei, the coordination records
   * concerning each and the indicators of each (with the regions under it), from one query.
   */
  async function partners(content) {
    const provinces = (await gql(QUERIES.provinces)).regions.nodes.filter((r) => r.level === "PROVINCE");
    if (!provinces.length) return;
    const fields = provinces
      .map(
        (p, i) => `r${i}: coordinationRecords(filter: { regionId: "${p.id}" }, first: 1) { totalCount }
                   i${i}: indicators(filter: { regionId: "${p.id}", includeSubregions: true }, first: 1) { totalCount }`,
      )
      .join("\n");
    const data = await gql(`query DashboardPartners { ${fields} }`);
    const rows = provinces.map((p, i) => ({ region: p, records: data["r" + i].totalCount, indicators: data["i" + i].totalCount }));
    content.append(el("h3", { text: "京津冀协同：三地对比 Jing-Jin-Ji partners side by side" }));
    const box = el("div", { class: "chart-row" });
    content.append(box);
    chart(
      box,
      {
        title: { text: "协同记录与指标 Coordination records and indicators", left: 0, top: 0, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { top: 28, left: 0 },
        grid: { left: 8, right: 24, top: 64, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: rows.map((r) => r.region.name) },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "协同记录 Coordination records", type: "bar", data: rows.map((r) => r.records) },
          { name: "指标 Indicators", type: "bar", data: rows.map((r) => r.indicators) },
        ],
      },
      "chart-partners",
    );
    content.append(
      el(
        "table",
        { class: "list", id: "table-partners" },
        el("thead", {}, el("tr", {}, ["地区 Region", "协同记录 Coordination records", "指标 Indicators"].map((h) => el("th", { text: h })))),
        el(
          "tbody",
          {},
          rows.map((r) =>
            el(
              "tr",
              { dataset: { key: r.region.id } },
              el("th", { scope: "row", text: r.region.name }),
              el("td", { class: "num", dataset: { field: "records" }, text: r.records }),
              el("td", { class: "num", dataset: { field: "indicators" }, text: r.indicators }),
            ),
          ),
        ),
      ),
    );
  }

  async function byDepartment(content, state) {
    const data = await gql(QUERIES.department, { filter: statisticsFilter(state) });
    data.groups = sorted(data.groups, (g) => g.department.name);
    fill(content, el("h2", { text: "按单位：牵头与配合 By department (lead and support)" }), summaryCards(data.total[0]));
    content.append(
      countsTable(
        "table-departments",
        "单位 · 角色 Department · role",
        data.groups.map((g) => ({
          key: {
            id: g.department.id + ":" + g.role,
            node: [link(g.department.name, { view: "department", department: g.department.id }), " · " + label(ROLE, g.role)],
          },
          group: g,
        })),
      ),
    );
    const overdue = data.overdue;
    content.append(el("h3", { text: `逾期任务 Overdue tasks (${overdue.totalCount})` }));
    if (!overdue.nodes.length) {
      content.append(el("p", { class: "muted", text: "无逾期任务 — none." }));
      return;
    }
    content.append(
      el(
        "table",
        { class: "list", id: "table-overdue" },
        el("thead", {}, el("tr", {}, ["编号 Code", "任务 Task", "方案 Plan", "完成时限 Due", "状态 Status", "牵头单位 Lead"].map((h) => el("th", { text: h })))),
        el(
          "tbody",
          {},
          overdue.nodes.map((t) =>
            el(
              "tr",
              {},
              el("td", { text: t.code }),
              el("td", { text: t.title }),
              el("td", { text: t.plan ? t.plan.title : "" }),
              el("td", { class: "num", text: t.dueYear }),
              el("td", { text: label(TASK_STATUS, t.status) }),
              el("td", {
                text: t.assignments
                  .filter((a) => a.role === "LEAD" && a.department)
                  .map((a) => a.department.name)
                  .join("、"),
              }),
            ),
          ),
        ),
      ),
    );
  }

  async function indicatorList(content, state) {
    const filter = {};
    if (state.plan) filter.planId = state.plan;
    if (state.region) {
      filter.regionId = state.region;
      filter.includeSubregions = true;
    }
    if (state.department) filter.departmentId = state.department;
    const data = await gql(QUERIES.indicators, { filter, year: state.year });
    const list = data.indicators;
    fill(content, el("h2", { text: `指标 Indicators (${list.totalCount})` }));
    if (list.totalCount > list.nodes.length) {
      content.append(el("p", { class: "muted", text: `显示前 ${list.nodes.length} 个；请用筛选缩小范围 — showing the first ${list.nodes.length}.` }));
    }
    content.append(
      el(
        "table",
        { class: "list", id: "table-indicators" },
        el("thead", {}, el("tr", {}, ["指标 Indicator", "方案 Plan", "地区 Region", "目标 Target", "最新 Latest", "进度 Progress"].map((h) => el("th", { text: h })))),
        el(
          "tbody",
          {},
          list.nodes.map((i) => {
            const p = i.progress;
            // A goal in words (QUALITATIVE) has no value: its phrase stands for it.
            const bound = (t) => (t.value === null ? t.phrase : `${t.comparator} ${t.value} ${i.unit}`);
            const target = p && p.target ? `${bound(p.target)} (${p.target.year ?? "—"})` : "—";
            const latest = p && p.latestActual ? `${p.latestActual.value} ${i.unit} (${p.latestActual.period})` : "—";
            return el(
              "tr",
              {},
              el("td", {}, link(i.name, { view: "indicator", indicator: i.id })),
              el("td", { text: i.plan ? i.plan.title : "" }),
              el("td", { text: i.region ? i.region.name : "" }),
              el("td", { text: target }),
              el("td", { text: latest }),
              el("td", { class: "status-" + (p ? p.status : "NO_DATA"), text: label(PROGRESS_STATUS, p ? p.status : "NO_DATA") }),
            );
          }),
        ),
      ),
    );
  }

  async function indicatorPage(content, state) {
    if (!state.indicator) {
      fill(content, el("p", { text: "未选择指标 — choose an indicator from the list." }), link("指标列表 Indicators", { view: "indicators" }));
      return;
    }
    const data = await gql(QUERIES.indicator, { id: state.indicator });
    const indicator = data.node;
    if (!indicator) {
      fill(content, el("p", { class: "error", text: "指标不存在或无权查看 — no such indicator, or not visible to you." }));
      return;
    }
    const t = indicator.trajectory;
    fill(
      content,
      el("h2", { text: `${indicator.name}（${indicator.unit}）` }),
      el(
        "p",
        { class: "muted" },
        [indicator.plan && indicator.plan.title, indicator.region && indicator.region.name, indicator.task && `${indicator.task.code} ${indicator.task.title}`]
          .filter(Boolean)
          .join(" · "),
      ),
      el("p", { id: "indicator-progress" }, "进度 Progress: ", label(PROGRESS_STATUS, indicator.progress ? indicator.progress.status : "NO_DATA"), indicator.progress && indicator.progress.share !== null ? ` · ${percent(indicator.progress.share)}` : ""),
    );
    const current = new Map();
    for (const a of t.actuals) {
      const seen = current.get(a.period);
      if (!seen || seen.revision < a.revision) current.set(a.period, a);
    }
    const currentActuals = [...current.values()].sort((a, b) => (a.period < b.period ? -1 : 1));
    const revised = t.actuals.filter((a) => current.get(a.period) !== a);
    const yearOf = (period) => parseInt(period.slice(0, 4), 10);
    const option = {
      title: { text: "实际值与目标路径 Actuals against the path to target", left: 0, top: 0, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { type: "scroll", top: 28, left: 0 },
      grid: { left: 8, right: 24, top: 72, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: "dataMin", max: "dataMax", minInterval: 1, axisLabel: { formatter: (v) => String(v) } },
      yAxis: { type: "value", name: indicator.unit, scale: true },
      series: [
        {
          name: "目标路径 Path to target",
          type: "line",
          lineStyle: { type: "dashed" },
          data: t.path.map((p) => [p.year, p.value]),
        },
        {
          name: "目标 Targets",
          type: "scatter",
          symbol: "diamond",
          symbolSize: 14,
          // Only targets with a year and a figure are points (not standing, recurring or in words).
          data: t.targets.filter((x) => x.year !== null && x.year !== undefined && x.value !== null).map((x) => [x.year, x.value]),
        },
        {
          name: "实际值 Actuals",
          type: "line",
          data: currentActuals.map((a) => [yearOf(a.period), a.value]),
        },
        {
          name: "已修订 Revised values",
          type: "scatter",
          symbol: "emptyCircle",
          symbolSize: 10,
          data: revised.map((a) => [yearOf(a.period), a.value]),
        },
      ],
    };
    const box = el("div", { class: "chart-row" });
    content.append(box);
    chart(box, option, "chart-indicator");
    if (t.baseline) {
      content.append(el("p", { id: "indicator-baseline", text: `基期 Baseline: ${t.baseline.value ?? "—"} ${indicator.unit} (${t.baseline.year})` }));
    }
    content.append(
      el("h3", { text: "全部实际值（含修订）Every actual, with revisions" }),
      el(
        "table",
        { class: "list", id: "table-actuals" },
        el("thead", {}, el("tr", {}, ["期间 Period", "数值 Value", "状态 Status", "修订 Revision", "原因 Reason", "填报时间 Reported"].map((h) => el("th", { text: h })))),
        el(
          "tbody",
          {},
          t.actuals.map((a) =>
            el(
              "tr",
              { class: current.get(a.period) === a ? "" : "superseded" },
              el("td", { text: a.period }),
              el("td", { class: "num", text: a.value }),
              el("td", { text: a.status }),
              el("td", { class: "num", text: a.revision }),
              el("td", { text: a.reason || "" }),
              el("td", { text: dateTime(a.reportedAt) }),
            ),
          ),
        ),
      ),
    );
    const quote = indicator.provenance && indicator.provenance.quote;
    if (quote) {
      content.append(
        el("h3", { text: "出处 Source" }),
        el("blockquote", { id: "indicator-quote", text: quote }),
        el("p", { class: "muted", text: [indicator.provenance.document && indicator.provenance.document.title, indicator.provenance.section].filter(Boolean).join(" · ") }),
      );
    }
  }

  const RENDERERS = { overview, region: byRegion, department: byDepartment, indicators: indicatorList, indicator: indicatorPage };

  // ---- filters, feed, start -------------------------------------------------------------------

  async function loadFilterOptions() {
    const data = await gql(QUERIES.options);
    const planSelect = document.getElementById("filter-plan");
    const regionSelect = document.getElementById("filter-region");
    planSelect.append(...data.plans.nodes.map((p) => el("option", { value: p.id, text: p.title })));
    regionSelect.append(...data.regions.nodes.map((r) => el("option", { value: r.id, text: r.name })));
    const departments = [];
    let after = null;
    for (let page = 0; page < 20; page += 1) {
      const result = (await gql(QUERIES.departments, { after })).departments;
      departments.push(...result.nodes);
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    departments.sort((a, b) => a.name.localeCompare(b.name, "zh-CN"));
    document.getElementById("filter-department").append(...departments.map((d) => el("option", { value: d.id, text: d.name })));
  }

  function showFilters(state) {
    document.getElementById("filter-plan").value = state.plan;
    document.getElementById("filter-region").value = state.region;
    document.getElementById("filter-department").value = state.department;
    document.getElementById("filter-year").value = state.year === null ? "" : String(state.year);
    for (const a of document.querySelectorAll("#views a[data-view]")) {
      a.classList.toggle("active", a.dataset.view === state.view || (state.view === "indicator" && a.dataset.view === "indicators"));
      a.href = urlOf(Object.assign({}, state, { view: a.dataset.view, indicator: "" }));
    }
  }

  function bindFilters() {
    const on = (id, key, parse) =>
      document.getElementById(id).addEventListener("change", (event) => navigate({ [key]: parse(event.target.value) }));
    on("filter-plan", "plan", (v) => v);
    on("filter-region", "region", (v) => v);
    on("filter-department", "department", (v) => v);
    on("filter-year", "year", (v) => (v === "" ? null : parseInt(v, 10)));
    document.getElementById("filter-clear").addEventListener("click", () => navigate({ plan: "", region: "", department: "", year: null }));
    document.getElementById("print").addEventListener("click", () => window.print());
    for (const a of document.querySelectorAll("#views a[data-view]")) {
      a.addEventListener("click", (event) => {
        event.preventDefault();
        navigate({ view: a.dataset.view });
      });
    }
    window.addEventListener("popstate", render);
  }

  function printTitle(state) {
    const now = new Date();
    const month = `${now.getFullYear()}年${now.getMonth() + 1}月`;
    const parts = ["plan", "region", "department"]
      .map((key) => {
        const select = document.getElementById("filter-" + key);
        return state[key] && select.selectedOptions[0] ? select.selectedOptions[0].textContent : null;
      })
      .filter(Boolean);
    if (state.year !== null) parts.push(state.year + "年");
    fill(document.getElementById("print-title"), el("h1", { text: `月度督查汇总 Monthly summary — ${month}` }), el("p", { text: parts.length ? "筛选：" + parts.join(" · ") : "全部数据 All visible data" }), el("p", { text: "生成时间 Generated " + dateTime(now.toISOString()) }));
  }

  let rendering = 0;

  async function render() {
    const state = readState();
    const ticket = ++rendering;
    showFilters(state);
    printTitle(state);
    const content = document.getElementById("content");
    disposeCharts();
    content.setAttribute("aria-busy", "true");
    try {
      const scratch = el("div");
      await RENDERERS[state.view](scratch, state);
      if (ticket !== rendering) return;
      fill(content, [...scratch.childNodes]);
      for (const instance of charts) instance.resize();
      document.body.dataset.loaded = state.view;
    } catch (e) {
      if (ticket !== rendering) return;
      fill(content, el("p", { class: "error", role: "alert", text: `加载失败 Failed (${e.code || "ERROR"}): ${e.message}` }));
      document.body.dataset.loaded = "error";
    } finally {
      content.removeAttribute("aria-busy");
    }
  }

  function feedItem(change) {
    return el(
      "li",
      { dataset: { sequence: change.sequence } },
      el("span", { class: "muted", text: dateTime(change.occurredAt) + " " }),
      el("strong", { text: `${change.action} ${change.entity}` }),
      change.plan ? el("span", { text: " · " + change.plan.title }) : null,
      change.actorDepartment ? el("span", { class: "muted", text: " · " + change.actorDepartment.name }) : null,
    );
  }

  let feedClient = null;

  async function startFeed() {
    const list = document.getElementById("feed-list");
    const state = document.getElementById("feed-state");
    try {
      const recent = (await gql(QUERIES.recent)).changes.nodes;
      fill(list, recent.slice().reverse().map(feedItem));
      if (!recent.length && !window.XT.token()) {
        list.append(el("li", { class: "muted", text: "登录后可见本单位权限内的变更 — sign in to see the changes your role may see." }));
      }
    } catch (e) {
      fill(state, `(${e.code})`);
    }
    if (feedClient) feedClient.dispose();
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    feedClient = window.graphqlWs.createClient({
      url: `${scheme}//${window.location.host}/graphql`,
      connectionParams: () => (window.XT.token() ? { Authorization: "Bearer " + window.XT.token() } : {}),
      retryAttempts: 5,
      on: {
        connected: () => {
          fill(state, "● 实时 live");
          document.body.dataset.feed = "live";
        },
        closed: () => fill(state, "○ 已断开 disconnected"),
      },
    });
    feedClient.subscribe(
      { query: FEED_SUBSCRIPTION },
      {
        next: (message) => {
          const event = message.data && message.data.changed;
          if (!event) return;
          const seen = list.querySelector(`li[data-sequence="${event.change.sequence}"]`);
          if (seen) return;
          list.prepend(feedItem(event.change));
          while (list.children.length > 30) list.lastElementChild.remove();
        },
        error: () => fill(state, "○ 已断开 disconnected"),
        complete: () => {},
      },
    );
  }

  async function start() {
    window.XT.captureLinkToken();
    const restart = () => window.location.reload();
    try {
      await window.XT.signInBox(document.getElementById("account"), restart);
      await loadFilterOptions();
    } catch (e) {
      fill(document.getElementById("content"), el("p", { class: "error", role: "alert", text: `加载失败 Failed (${e.code || "ERROR"}): ${e.message}` }));
      return;
    }
    bindFilters();
    await render();
    startFeed();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
