// 流程编辑: the step table, the flowchart redrawn beside it as the user types (debounced), and
// saving the whole table at once. The server draws (the engine's escaped SVG) and validates;
// nothing is stored until 保存. Every user value goes into the page through textContent/value.
(function () {
  "use strict";
  const root = document.getElementById("qd-editor");
  if (!root) return;
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const state = read("qd-payload");
  const options = read("qd-options");
  const csrf = root.querySelector("[name=csrfmiddlewaretoken]").value;
  const table = document.getElementById("qd-steps");
  const preview = document.getElementById("qd-preview");
  const problemsBox = document.getElementById("qd-problems");
  const summaryBox = document.getElementById("qd-summary");
  const dirtyMark = document.getElementById("qd-dirty");
  const CUSTOM = "__custom__";
  let dirty = false;
  let timer = null;
  let seq = 0;
  let inflight = null;

  // --- small DOM helpers ------------------------------------------------------------------------
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === undefined || v === null || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k === "value") node.value = v;
      else node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach((c) => c && node.appendChild(c));
    return node;
  }
  function option(value, label, selected) {
    const o = el("option", { value: value, text: label });
    if (selected) o.selected = true;
    return o;
  }
  function select(name, path, items, current, blank) {
    const s = el("select", { name: name, "data-path": path, "aria-label": name });
    if (blank !== undefined) s.appendChild(option("", blank, current === "" || current === null));
    items.forEach(([v, label]) => s.appendChild(option(String(v), label, String(v) === String(current))));
    return s;
  }
  function input(name, path, value, attrs) {
    return el("input", Object.assign({ type: "text", name: name, "data-path": path, value: value || "" }, attrs || {}));
  }
  function button(text, action, extra) {
    return el("button", Object.assign({ type: "button", class: "qd-mini", "data-action": action, text: text }, extra || {}));
  }

  // --- rendering the table --------------------------------------------------------------------
  function laneSelect(step, i) {
    const s = el("select", { name: "lane", "data-path": i + ".lane", "aria-label": "泳道" });
    s.appendChild(option("", "（请选择泳道）", !step.lane));
    const groups = [
      ["科室", options.units.map((u) => ["unit:" + u.id, u.name])],
      ["岗位", options.positions.map((p) => ["position:" + p.id, p.name])],
    ];
    const labels = options.labels.slice();
    const current = step.lane || "";
    if (current.startsWith("label:") && current.length > 6 && !labels.includes(current.slice(6))) {
      labels.push(current.slice(6));
    }
    groups.push(["其他", labels.map((l) => ["label:" + l, l])]);
    groups.forEach(([title, items]) => {
      if (!items.length) return;
      const g = el("optgroup", { label: title });
      items.forEach(([v, label]) => g.appendChild(option(v, label, v === current)));
      s.appendChild(g);
    });
    s.appendChild(option(CUSTOM, "其他（自行填写）…", false));
    return s;
  }

  function targetItems(selfIndex) {
    return state.steps
      .map((s, j) => [s.key, (j + 1) + ". " + (s.name || s.key)])
      .filter((_, j) => j !== selfIndex);
  }

  function stepBody(step, i) {
    const kinds = options.kinds.map((k) => [k.value, k.label]);
    const exits = el("td", { class: "qd-exits" });
    (step.exits || []).forEach((e, k) => {
      exits.appendChild(el("div", { class: "qd-exit" }, [
        select("target", i + ".exits." + k + ".target", targetItems(i), e.target, "（目标环节）"),
        input("label", i + ".exits." + k + ".label", e.label, { placeholder: "条件", maxlength: 50 }),
        button("×", "del-exit", { "data-step": i, "data-index": k, title: "删除出口" }),
      ]));
    });
    exits.appendChild(button("＋出口", "add-exit", { "data-step": i }));
    const main = el("tr", { class: "qd-step-main" }, [
      el("td", { class: "qd-order" }, [
        el("span", { text: String(i + 1) + " " }),
        button("↑", "up", { "data-step": i, title: "上移", disabled: i === 0 }),
        button("↓", "down", { "data-step": i, title: "下移", disabled: i === state.steps.length - 1 }),
        input("key", i + ".key", step.key, { maxlength: 32, "aria-label": "环节编号", title: "环节编号" }),
      ]),
      el("td", {}, [select("kind", i + ".kind", kinds, step.kind)]),
      el("td", {}, [input("name", i + ".name", step.name, { maxlength: 200, "aria-label": "环节名称" })]),
      el("td", {}, [laneSelect(step, i)]),
      el("td", {}, [input("days", i + ".days", step.days, { inputmode: "decimal", "aria-label": "办理时限" })]),
      exits,
      el("td", {}, [button("×", "del-step", { "data-step": i, title: "删除环节" })]),
    ]);
    const leaders = options.positions.filter((p) => p.leader).map((p) => [p.id, p.name]);
    const units = options.units.map((u) => [u.id, u.name]);
    const people = options.people.map((p) => [p.id, p.name]);
    const risks = el("div", {});
    (step.risks || []).forEach((r, k) => {
      const path = i + ".risks." + k + ".";
      risks.appendChild(el("div", { class: "qd-risk-row" }, [
        select("level", path + "level", options.levels.map((l) => [l, "风险" + l]), r.level),
        input("description", path + "description", r.description, { placeholder: "风险描述", maxlength: 1000 }),
        input("controls", path + "controls", r.controls, { placeholder: "防控措施", maxlength: 2000 }),
        select("person", path + "person", people, r.person, "（责任人）"),
        button("×", "del-risk", { "data-step": i, "data-index": k, title: "删除风险点" }),
      ]));
    });
    risks.appendChild(button("＋风险点", "add-risk", { "data-step": i }));
    const materials = (step.materials || []).map((m) => (m.note ? m.name + "｜" + m.note : m.name)).join("\n");
    const facts = [
      (step.materials || []).length + "项材料",
      (step.risks || []).length + "个风险点",
      "责任：" + [nameOf(options.positions, step.leader), nameOf(options.units, step.unit), nameOf(options.people, step.person)].map((x) => x || "—").join(" / "),
    ].join(" · ");
    const details = el("details", { "data-step": i }, [
      el("summary", { text: "责任人、办事材料、风险点（" + facts + "）" }),
      el("div", { class: "qd-more-grid" }, [
        el("label", { text: "责任领导" }, [select("leader", i + ".leader", leaders, step.leader, "（无）")]),
        el("label", { text: "责任科室" }, [select("unit", i + ".unit", units, step.unit, "（无）")]),
        el("label", { text: "责任人" }, [select("person", i + ".person", people, step.person, "（无）")]),
        el("label", { text: "办事材料（每行一项，“名称｜说明”）" }, [
          el("textarea", { name: "materials", "data-path": i + ".materials", value: materials }),
        ]),
        el("div", { class: "qd-more-risks" }, [el("div", { text: "风险点" }), risks]),
      ]),
    ]);
    details.open = !!step._open;
    details.addEventListener("toggle", () => { step._open = details.open; });
    const more = el("tr", { class: "qd-step-more" }, [el("td", { colspan: "7" }, [details])]);
    const body = el("tbody", { class: "qd-step", "data-key": step.key }, [main, more]);
    if (step.lane && step.lane.startsWith("label:") && step._custom) {
      const sel = main.querySelector("select[name=lane]");
      sel.value = CUSTOM;
      sel.after(input("lane_label", i + ".lane_label", step.lane.slice(6), { placeholder: "泳道名称", maxlength: 50 }));
    }
    return body;
  }

  function nameOf(items, id) {
    const found = items.find((x) => String(x.id) === String(id));
    return found ? found.name : "";
  }

  function pathOf(node) { return node && node.getAttribute ? node.getAttribute("data-path") : null; }

  function render() {
    const focused = pathOf(document.activeElement);
    table.querySelectorAll("tbody").forEach((b) => b.remove());
    state.steps.forEach((s, i) => table.appendChild(stepBody(s, i)));
    if (focused) {
      const again = table.querySelector('[data-path="' + focused.replace(/"/g, "") + '"]');
      if (again) again.focus();
    }
  }

  // --- reading the inputs into the state ---------------------------------------------------------
  function setPath(path, value) {
    const parts = path.split(".");
    let target = state.steps;
    for (let k = 0; k < parts.length - 1; k++) target = target[isNaN(parts[k]) ? parts[k] : Number(parts[k])];
    const last = parts[parts.length - 1];
    target[isNaN(last) ? last : Number(last)] = value;
  }

  function onField(event) {
    const node = event.target;
    if (node.tagName === "SELECT" && event.type === "input") return;  // handled on "change"
    if (node.dataset.meta) {
      state[node.dataset.meta] = node.value;
      return changed();
    }
    const path = pathOf(node);
    if (!path) return;
    const parts = path.split(".");
    const step = state.steps[Number(parts[0])];
    const field = parts[1];
    if (field === "materials") {
      step.materials = node.value.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
        const [name, ...note] = line.split("｜");
        return { name: name.trim(), note: note.join("｜").trim() };
      });
    } else if (field === "lane") {
      if (node.value === CUSTOM) {
        step._custom = true;
        step.lane = "label:";
        render();
        const box = table.querySelector('[data-path="' + parts[0] + '.lane_label"]');
        if (box) box.focus();
      } else {
        step._custom = false;
        step.lane = node.value;
      }
    } else if (field === "lane_label") {
      step.lane = "label:" + node.value.trim();
    } else if (field === "key" && event.type === "change") {
      const old = step.key;
      const fresh = node.value.trim();
      state.steps.forEach((s) => (s.exits || []).forEach((e) => { if (e.target === old) e.target = fresh; }));
      step.key = fresh;
      setTimeout(render, 0);
    } else if (field === "key") {
      return;  // applied on change, when the references are renamed with it
    } else {
      setPath(path, ["leader", "unit", "person"].includes(parts[parts.length - 1]) && node.value ? Number(node.value) : node.value);
      if (field === "name" && event.type === "change") setTimeout(render, 0);
    }
    changed();
  }

  function newKey() {
    const used = new Set(state.steps.map((s) => s.key));
    let n = state.steps.length + 1;
    while (used.has("s" + n)) n++;
    return "s" + n;
  }

  function onClick(event) {
    const node = event.target.closest("[data-action]");
    if (!node) return;
    const i = Number(node.dataset.step);
    const k = Number(node.dataset.index);
    const steps = state.steps;
    switch (node.dataset.action) {
      case "up": [steps[i - 1], steps[i]] = [steps[i], steps[i - 1]]; break;
      case "down": [steps[i + 1], steps[i]] = [steps[i], steps[i + 1]]; break;
      case "del-step": {
        const gone = steps[i].key;
        steps.splice(i, 1);
        steps.forEach((s) => { s.exits = (s.exits || []).filter((e) => e.target !== gone); });
        break;
      }
      case "add-exit": steps[i].exits.push({ target: "", label: "" }); break;
      case "del-exit": steps[i].exits.splice(k, 1); break;
      case "add-risk":
        steps[i].risks.push({ level: "中", description: "", controls: "", person: null });
        steps[i]._open = true;
        break;
      case "del-risk": steps[i].risks.splice(k, 1); break;
      default: return;
    }
    render();
    changed();
  }

  function addStep() {
    const last = state.steps[state.steps.length - 1];
    state.steps.push({
      key: newKey(), kind: "action", name: "", lane: last ? last.lane : "", days: "",
      leader: null, unit: null, person: null, materials: [], risks: [], exits: [],
    });
    render();
    changed();
    const rows = table.querySelectorAll("input[name=name]");
    if (rows.length) rows[rows.length - 1].focus();
  }

  // --- talking to the server -------------------------------------------------------------------
  function payload() {
    return JSON.stringify(Object.assign({}, state, {
      steps: state.steps.map((s) => {
        const copy = Object.assign({}, s);
        delete copy._custom;
        delete copy._open;
        return copy;
      }),
    }));
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body,
      signal: inflight ? inflight.signal : undefined,
    }).then((r) => r.json());
  }

  function changed() {
    dirty = true;
    dirtyMark.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(redraw, 300);
  }

  function redraw() {
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const mine = ++seq;
    preview.classList.add("qd-drawing");
    post(root.dataset.redrawUrl, payload())
      .then((data) => { if (mine === seq) show(data); })
      .catch(() => {})
      .finally(() => { if (mine === seq) preview.classList.remove("qd-drawing"); });
  }

  function show(data) {
    if (data.svg) preview.innerHTML = data.svg;  // the engine's SVG: every label escaped server-side
    showProblems(data.problems || []);
    if (data.summary) showSummary(data.summary);
  }

  function showProblems(problems) {
    problemsBox.textContent = "";
    table.querySelectorAll("tbody").forEach((b) => b.classList.remove("qd-row-error", "qd-row-warning"));
    if (!problems.length) {
      problemsBox.appendChild(el("li", { class: "qd-problems-ok", text: "校验通过：有唯一的开始环节，各环节均可到达结束，判断环节出口均已标注条件。" }));
      return;
    }
    problems.forEach((p) => {
      problemsBox.appendChild(el("li", { class: "qd-problem-" + p.severity, text: (p.severity === "warning" ? "提示：" : "") + p.message }));
      if (p.step) {
        const body = Array.from(table.querySelectorAll("tbody.qd-step")).find((b) => b.dataset.key === p.step);
        if (body && !body.classList.contains("qd-row-error")) body.classList.add(p.severity === "warning" ? "qd-row-warning" : "qd-row-error");
      }
    });
  }

  function showSummary(s) {
    summaryBox.textContent = "";
    const limit = s.legal_limit_days ? "／法定" + s.legal_limit_days : "";
    [
      "办事环节 " + s.steps + " 个",
      "办事材料 " + s.materials + " 项",
      "风险点 " + s.risks + " 个",
    ].forEach((t) => summaryBox.appendChild(el("span", { text: t })));
    summaryBox.appendChild(el("span", {
      class: s.exceeds ? "qd-exceeds" : "",
      text: "最长路径时限 " + s.path_days + limit + " 个工作日" + (s.exceeds ? "（超过法定时限）" : ""),
      title: (s.path || []).join(" → "),
    }));
  }

  function save() {
    clearTimeout(timer);
    const box = document.getElementById("qd-save-result");
    box.textContent = "正在保存…";
    const body = JSON.parse(payload());
    body.reason = document.getElementById("qd-reason").value;
    inflight = null;
    post(root.dataset.saveUrl, JSON.stringify(body)).then((data) => {
      if (data.ok) {
        dirty = false;
        window.location.assign(data.url);
        return;
      }
      box.textContent = "";
      box.appendChild(el("div", { class: "qd-alert", text: "未保存：请先修正下列问题。" }));
      showProblems(data.problems || []);
    }).catch(() => { box.textContent = "保存失败，请检查网络后重试。"; });
  }

  // --- start ------------------------------------------------------------------------------------
  state.steps.forEach((s) => {
    s.exits = s.exits || [];
    s.risks = s.risks || [];
    s.materials = s.materials || [];
    s._custom = !!(s.lane && s.lane.startsWith("label:") && !options.labels.includes(s.lane.slice(6)));
  });
  root.querySelectorAll("[data-meta]").forEach((node) => { node.value = state[node.dataset.meta] || ""; });
  render();
  const initial = read("qd-state");
  showProblems(initial.problems || []);
  if (initial.summary) showSummary(initial.summary);
  root.addEventListener("input", onField);
  root.addEventListener("change", onField);
  root.addEventListener("click", onClick);
  document.getElementById("qd-add-step").addEventListener("click", addStep);
  document.getElementById("qd-save").addEventListener("click", save);
  window.addEventListener("beforeunload", (e) => { if (dirty) { e.preventDefault(); e.returnValue = ""; } });
})();
