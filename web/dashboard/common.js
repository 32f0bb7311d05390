// xietong 协同 — what the dashboard (/dashboard) and the reporting page (/report) share:
// the caller's token, GraphQL over HTTP, and building DOM nodes without innerHTML.
//
// Contract:
// - The token lives in sessionStorage only (this tab, until it closes or the user signs out);
//   nothing is written to localStorage or cookies. A sign-in link (`xietong token issue --link`)
//   carries the token in the URL fragment (`#token=…`), which never reaches a server or its logs;
//   it is moved to sessionStorage and removed from the address bar at once.
// - Every request goes to this server's own `/graphql`; nothing else is ever contacted.
// - Text from the API is only ever set with textContent (never innerHTML), so a record's text
//   cannot inject markup.
"use strict";

(function () {
  const TOKEN_KEY = "xietong.token";

  // What the Content-Security-Policy blocked, for the browser tests (an empty list is the goal).
  window.xietongCspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.xietongCspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });

  /** Moves a `#token=` of a sign-in link into this tab's session, and out of the address bar. */
  function captureLinkToken() {
    const hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    const token = hash.get("token");
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token.trim());
    hash.delete("token");
    const rest = hash.toString();
    const url = window.location.pathname + window.location.search + (rest ? "#" + rest : "");
    window.history.replaceState(null, "", url);
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function signIn(value) {
    const trimmed = (value || "").trim().replace(/^Bearer\s+/i, "");
    if (trimmed) sessionStorage.setItem(TOKEN_KEY, trimmed);
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
  }

  /** An error the API answered with: `code` is its `extensions.code` (e.g. CONFLICT). */
  class ApiError extends Error {
    constructor(message, code, errors) {
      super(message);
      this.code = code;
      this.errors = errors || [];
    }
  }

  /** Runs one GraphQL operation; resolves to `data`, rejects with an ApiError. */
  async function gql(query, variables) {
    const headers = { "content-type": "application/json", accept: "application/graphql-response+json" };
    const current = token();
    if (current) headers.authorization = "Bearer " + current;
    let response;
    try {
      response = await fetch("/graphql", {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables: variables || {} }),
        credentials: "omit",
      });
    } catch (e) {
      throw new ApiError("无法连接服务器 — the server cannot be reached", "NETWORK");
    }
    let body;
    try {
      body = await response.json();
    } catch (e) {
      throw new ApiError("服务器返回了无法读取的应答 (HTTP " + response.status + ")", "HTTP_" + response.status);
    }
    if (body.errors && body.errors.length) {
      const first = body.errors[0];
      const code = (first.extensions && first.extensions.code) || "ERROR";
      throw new ApiError(first.message, code, body.errors);
    }
    return body.data;
  }

  /**
   * Creates an element: `attributes` may hold `class`, `text` (textContent), `on<event>`
   * handlers, `dataset` entries and plain attributes; children are nodes or strings.
   */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Replaces the children of `node`. */
  function fill(node, ...children) {
    node.replaceChildren();
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const TASK_STATUS = {
    NOT_STARTED: "未开始",
    IN_PROGRESS: "推进中",
    COMPLETED: "已完成",
    DELAYED: "滞后",
    ARCHIVED: "已归档",
  };

  const PROGRESS_STATUS = {
    ACHIEVED: "已完成",
    ON_TRACK: "进度正常",
    AT_RISK: "存在风险",
    OFF_TRACK: "进度滞后",
    NO_DATA: "暂无数据",
  };

  const ROLE = { LEAD: "牵头", SUPPORT: "配合" };

  /** "已完成 ACHIEVED": the Chinese label and the API's English value. */
  function label(table, value) {
    return (table[value] || value) + " " + value;
  }

  function percent(share) {
    return share === null || share === undefined ? "—" : (share * 100).toFixed(1) + "%";
  }

  function dateTime(value) {
    if (!value) return "—";
    const d = new Date(value);
    if (Number.isNaN(d.getTime())) return value;
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  const VIEWER_QUERY = `query Viewer { viewer { authenticated subject role permissions department { id name region { id name } } } }`;

  /**
   * Fills the sign-in box `container`: who is signed in and a sign-out button, or a field to paste
   * a token. `onChange` runs after signing in or out. Resolves to the viewer (or the anonymous
   * one when the token is refused, which is then forgotten).
   */
  async function signInBox(container, onChange) {
    let viewer;
    let refused = null;
    try {
      viewer = (await gql(VIEWER_QUERY)).viewer;
    } catch (e) {
      if (e.code !== "UNAUTHENTICATED" || !token()) throw e;
      refused = e.message;
      signOut();
      viewer = (await gql(VIEWER_QUERY)).viewer;
    }
    if (viewer.authenticated) {
      const who = [viewer.department && viewer.department.name, viewer.role, viewer.subject].filter(Boolean).join(" · ");
      fill(
        container,
        el("span", { class: "who", id: "signed-in-as", text: "已登录 Signed in: " + who }),
        el("button", {
          type: "button",
          id: "sign-out",
          text: "退出 Sign out",
          onclick: () => {
            signOut();
            onChange();
          },
        }),
      );
    } else {
      const input = el("input", {
        type: "password",
        id: "token-input",
        placeholder: "粘贴令牌 Paste a token",
        autocomplete: "off",
        "aria-label": "令牌 Token",
      });
      const form = el(
        "form",
        {
          class: "sign-in",
          onsubmit: (event) => {
            event.preventDefault();
            signIn(input.value);
            onChange();
          },
        },
        el("span", { class: "who", text: "未登录，仅显示公开数据 — anonymous: PUBLIC data only" }),
        input,
        el("button", { type: "submit", id: "sign-in", text: "登录 Sign in" }),
      );
      fill(container, form, refused ? el("p", { class: "error", role: "alert", text: "令牌无效：" + refused }) : null);
    }
    return viewer;
  }

  window.XT = {
    ApiError,
    PROGRESS_STATUS,
    ROLE,
    TASK_STATUS,
    captureLinkToken,
    dateTime,
    el,
    fill,
    gql,
    label,
    percent,
    signInBox,
    signOut,
    token,
  };
})();
