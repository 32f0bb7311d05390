// xietong 协同 — the bureaus' reporting page (/report), built only on the public GraphQL API.
//
// Contract:
// - Lists the tasks the caller's department is assigned to (LEAD or SUPPORT) with their
//   indicators, and offers only what the caller may do: a progress report where it holds
//   REPORT_PROGRESS (COMPLETED only where it is the LEAD), a value where it holds RECORD_ACTUALS.
// - Each form carries an idempotency key made when the form is shown: submitting twice (a
//   double click, a retry after a lost answer) records once. A successful submission makes a
//   new key. A progress report carries the task's version as `expectedVersion`: a task changed
//   by someone else meanwhile is answered with CONFLICT, explained with a reload button.
// - Errors show the API's message; BAD_USER_INPUT's `extensions.fields` are shown beside the
//   fields they name.
"use strict";

(function () {
  const { el, fill, gql, label, dateTime, TASK_STATUS, PROGRESS_STATUS, ROLE, ApiError } = window.XT;

  const TASKS_QUERY = `query ReportMyTasks($departmentId: ID!, $after: String) {
    tasks(filter: { departmentId: $departmentId }, first: 50, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id code title status version dueYear kind
        plan { title }
        assignments { role department { id } }
        latestProgress { period status percent narrative createdAt }
        indicators(first: 20) {
          nodes { id name unit progress { status latestActual { period value revision } } }
        }
      }
    }
  }`;

  const REPORT_PROGRESS = `mutation ReportProgress($input: ReportProgressInput!) {
    reportProgress(input: $input) { report { id period status } task { id status version } }
  }`;

  const RECORD_ACTUAL = `mutation RecordActual($input: RecordActualInput!) {
    recordActual(input: $input) { actual { id period value revision } indicator { id } }
  }`;

  /** The period a report is for by default: this quarter. */
  function currentQuarter() {
    const now = new Date();
    return `${now.getFullYear()}-Q${Math.floor(now.getMonth() / 3) + 1}`;
  }

  function newKey() {
    return window.crypto.randomUUID();
  }

  /** Shows an API error in `box`, and field errors beside their fields inside `form`. */
  function showError(form, box, error) {
    for (const old of form.querySelectorAll(".field-error")) old.remove();
    if (!(error instanceof ApiError)) {
      fill(box, el("p", { class: "error", role: "alert", text: String(error) }));
      return;
    }
    if (error.code === "CONFLICT") {
      fill(
        box,
        el(
          "p",
          { class: "error conflict", role: "alert" },
          "有人已更新此任务，请重新加载后再填报 — someone else updated this task; reload it and report again. ",
          el("button", { type: "button", class: "reload", text: "重新加载 Reload", onclick: () => window.location.reload() }),
        ),
        el("p", { class: "muted", text: error.message }),
      );
      return;
    }
    const fields = (error.errors[0] && error.errors[0].extensions && error.errors[0].extensions.fields) || [];
    for (const f of fields) {
      const name = f.field.replace(/^input\./, "");
      const input = form.querySelector(`[name="${name}"]`);
      const note = el("span", { class: "field-error", role: "alert", text: f.message });
      if (input) input.after(note);
    }
    fill(box, el("p", { class: "error", role: "alert", text: `${error.code}: ${error.message}` }));
  }

  function field(labelText, control) {
    return el("label", { class: "field" }, el("span", { text: labelText }), control);
  }

  /** The progress form of one task, or null when the caller may not report on it. */
  function progressForm(task, role, viewer) {
    if (!viewer.permissions.includes("REPORT_PROGRESS") || task.status === "ARCHIVED") return null;
    const statuses = ["IN_PROGRESS", "NOT_STARTED", "DELAYED"];
    if (role === "LEAD") statuses.push("COMPLETED");
    let key = newKey();
    const result = el("div", { class: "result" });
    const form = el(
      "form",
      { class: "report-form", dataset: { task: task.id } },
      field("报告期 Period", el("input", { name: "period", value: currentQuarter(), required: true, size: 8 })),
      field(
        "状态 Status",
        el("select", { name: "status" }, statuses.map((s) => el("option", { value: s, text: label(TASK_STATUS, s), selected: s === task.status }))),
      ),
      field("完成百分比 Percent", el("input", { name: "percent", type: "number", min: 0, max: 100, step: 1 })),
      field("进展说明 Narrative", el("textarea", { name: "narrative", rows: 2, required: true })),
      el("button", { type: "submit", text: "提交进展 Report progress" }),
      result,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const percent = data.get("percent");
      const input = {
        taskId: task.id,
        period: String(data.get("period")).trim(),
        status: data.get("status"),
        percent: percent === "" ? null : parseInt(percent, 10),
        narrative: String(data.get("narrative")),
        expectedVersion: task.version,
        idempotencyKey: key,
      };
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const answer = (await gql(REPORT_PROGRESS, { input })).reportProgress;
        for (const old of form.querySelectorAll(".field-error")) old.remove();
        task.version = answer.task.version;
        task.status = answer.task.status;
        key = newKey();
        form.querySelector("textarea[name=narrative]").value = "";
        fill(result, el("p", { class: "ok", role: "status", text: `已提交 Reported: ${answer.report.period} · ${label(TASK_STATUS, answer.report.status)} · 任务状态 task ${label(TASK_STATUS, answer.task.status)}` }));
        const status = form.closest(".task").querySelector(".task-status");
        if (status) fill(status, label(TASK_STATUS, answer.task.status));
      } catch (e) {
        showError(form, result, e);
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  /** The value form of one indicator, or null when the caller may not record its values. */
  function actualForm(indicator, viewer) {
    if (!viewer.permissions.includes("RECORD_ACTUALS")) return null;
    let key = newKey();
    const result = el("div", { class: "result" });
    const form = el(
      "form",
      { class: "actual-form", dataset: { indicator: indicator.id } },
      field("报告期 Period", el("input", { name: "period", value: String(new Date().getFullYear() - 1), required: true, size: 8 })),
      field(`数值 Value (${indicator.unit})`, el("input", { name: "value", type: "number", step: "any", required: true })),
      field(
        "数据状态 Status",
        el("select", { name: "status" }, ["PROVISIONAL", "VERIFIED", "ESTIMATED"].map((s) => el("option", { value: s, text: s }))),
      ),
      field("备注 Note", el("input", { name: "note" })),
      field("修订原因 Reason (if the period has a value)", el("input", { name: "reason" })),
      el("button", { type: "submit", text: "填报实际值 Record value" }),
      result,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const optional = (name) => {
        const value = String(data.get(name) || "").trim();
        return value === "" ? null : value;
      };
      const value = Number(data.get("value"));
      const input = {
        indicatorId: indicator.id,
        period: String(data.get("period")).trim(),
        value,
        status: data.get("status"),
        note: optional("note"),
        reason: optional("reason"),
        idempotencyKey: key,
      };
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const answer = (await gql(RECORD_ACTUAL, { input })).recordActual;
        for (const old of form.querySelectorAll(".field-error")) old.remove();
        key = newKey();
        fill(result, el("p", { class: "ok", role: "status", text: `已填报 Recorded: ${answer.actual.period} = ${answer.actual.value} (修订 revision ${answer.actual.revision})` }));
      } catch (e) {
        showError(form, result, e);
      }
      button.disabled = false;
    });
    return form;
  }

  function taskCard(task, viewer) {
    const mine = task.assignments.find((a) => a.department && viewer.department && a.department.id === viewer.department.id);
    const role = viewer.role === "BUREAU" ? (mine ? mine.role : null) : "LEAD";
    const latest = task.latestProgress;
    return el(
      "article",
      { class: "task", dataset: { task: task.id, role: role || "" } },
      el("h3", {}, `${task.code} ${task.title}`),
      el(
        "p",
        { class: "muted" },
        [task.plan && task.plan.title, task.dueYear && `完成时限 ${task.dueYear}`, role && `本单位 ${label(ROLE, role)}`].filter(Boolean).join(" · "),
      ),
      el("p", {}, "状态 Status: ", el("span", { class: "task-status", text: label(TASK_STATUS, task.status) })),
      latest
        ? el("p", { class: "muted", text: `最近进展 Latest: ${latest.period} · ${label(TASK_STATUS, latest.status)} · ${latest.percent ?? "—"}% · ${latest.narrative} (${dateTime(latest.createdAt)})` })
        : null,
      progressForm(task, role, viewer),
      task.indicators.nodes.length
        ? el(
            "div",
            { class: "indicators" },
            el("h4", { text: "指标 Indicators" }),
            task.indicators.nodes.map((i) => {
              const p = i.progress;
              const latestActual = p && p.latestActual ? `${p.latestActual.value} ${i.unit} (${p.latestActual.period})` : "暂无 none";
              return el(
                "div",
                { class: "indicator", dataset: { indicator: i.id } },
                el("p", {}, el("strong", { text: i.name }), ` · 最新 latest: ${latestActual} · ${label(PROGRESS_STATUS, p ? p.status : "NO_DATA")}`),
                viewer.permissions.includes("RECORD_ACTUALS")
                  ? el("details", {}, el("summary", { text: "填报实际值 Record a value" }), actualForm(i, viewer))
                  : null,
              );
            }),
          )
        : null,
    );
  }

  async function loadTasks(departmentId) {
    const tasks = [];
    let after = null;
    for (let page = 0; page < 10; page += 1) {
      const result = (await gql(TASKS_QUERY, { departmentId, after })).tasks;
      tasks.push(...result.nodes);
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    return tasks.filter((t) => t.kind !== "ACTION_GROUP");
  }

  async function start() {
    window.XT.captureLinkToken();
    const content = document.getElementById("content");
    try {
      const viewer = await window.XT.signInBox(document.getElementById("account"), () => window.location.reload());
      if (!viewer.authenticated) {
        fill(content, el("p", { id: "needs-sign-in", text: "请先登录：粘贴令牌，或使用管理员签发的登录链接（xietong token issue --link）。 — Sign in with a token, or with a link an administrator issued." }));
        document.body.dataset.loaded = "anonymous";
        return;
      }
      if (!viewer.department) {
        fill(content, el("p", { text: "此令牌没有所属单位 — this token names no department." }));
        document.body.dataset.loaded = "no-department";
        return;
      }
      const tasks = await loadTasks(viewer.department.id);
      const mayReport = viewer.permissions.includes("REPORT_PROGRESS") || viewer.permissions.includes("RECORD_ACTUALS");
      fill(
        content,
        el("h2", { text: `${viewer.department.name}：本单位任务 (${tasks.length}) — tasks of your department` }),
        mayReport ? null : el("p", { id: "read-only", class: "muted", text: "此身份只能查看，不能填报 — this role may read but not report." }),
        tasks.length ? tasks.map((t) => taskCard(t, viewer)) : el("p", { class: "muted", text: "没有分配给本单位的任务 — no tasks are assigned to your department." }),
      );
      document.body.dataset.loaded = "tasks";
    } catch (e) {
      fill(content, el("p", { class: "error", role: "alert", text: `加载失败 Failed (${e.code || "ERROR"}): ${e.message}` }));
      document.body.dataset.loaded = "error";
    }
  }

  document.addEventListener("DOMContentLoaded", start);
})();
