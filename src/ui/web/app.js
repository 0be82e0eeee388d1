// The Sluice web UI: a small single-page front end over /api/v1 (Spark's REST shapes) and
// live updates from /events (server-sent events). Charts are drawn with uPlot.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./style.css";

const CHART_BATCHES = 100;
const state = { appId: "", batchMs: 0, batches: new Map(), receivers: new Map(), charts: {}, dirty: false };
const view = document.getElementById("view");

const api = async (path) => {
  const res = await fetch(`/api/v1/applications/${state.appId}${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
};
const esc = (s) =>
  String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const ms = (v) =>
  v === undefined || v === null ? "–" : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(v < 10000 ? 2 : 1)} s`;
const num = (v) => (v === undefined || v === null ? "–" : Number(v).toLocaleString("en"));
const time = (t) => {
  const d = new Date(typeof t === "number" ? t : String(t).replace("GMT", "Z"));
  return `${d.toISOString().slice(0, 10).replace(/-/g, "/")} ${d.toTimeString().slice(0, 8)}`;
};
const page = () => location.pathname.replace(/\/+$/, "") || "/streaming";
const param = (k) => new URLSearchParams(location.search).get(k);

/** A batch from the REST API, or from a live event (same fields, renamed here). */
function fromApi(b) {
  return {
    batchTime: b.batchId,
    status: b.status,
    numRecords: b.inputSize,
    schedulingDelay: b.schedulingDelay,
    processingTime: b.processingTime,
    totalDelay: b.totalDelay,
    failureReason: b.firstFailureReason,
    ops: b.status === "COMPLETED" ? `${b.numCompletedOutputOps}/${b.numTotalOutputOps}` : "running",
  };
}
function fromEvent(b) {
  const ops = b.outputOps.filter((o) => !o.internal);
  const done = ops.filter((o) => o.endTime !== undefined && !o.failureReason).length;
  return {
    batchTime: b.batchTime,
    status: b.status,
    numRecords: b.numRecords,
    schedulingDelay: b.schedulingDelay,
    processingTime: b.processingTime,
    totalDelay: b.totalDelay,
    failureReason: b.failureReason,
    ops: b.status === "COMPLETED" ? `${done}/${ops.length}` : b.status === "QUEUED" ? "queued" : "running",
  };
}

// ---- Streaming page ----

const CHARTS = [
  { key: "input", title: "Input rate", unit: "records/s", value: (b) => (b.numRecords * 1000) / state.batchMs },
  { key: "scheduling", title: "Scheduling delay", unit: "ms", value: (b) => b.schedulingDelay },
  { key: "processing", title: "Processing time", unit: "ms", value: (b) => b.processingTime, interval: true },
  { key: "total", title: "Total delay", unit: "ms", value: (b) => b.totalDelay, interval: true },
];

function chartData(c) {
  const done = [...state.batches.values()]
    .filter((b) => b.status === "COMPLETED")
    .sort((a, b) => a.batchTime - b.batchTime)
    .slice(-CHART_BATCHES);
  const xs = done.map((b) => b.batchTime / 1000);
  const series = [xs, done.map((b) => c.value(b) ?? null)];
  if (c.interval) series.push(done.map(() => state.batchMs));
  return series;
}

function drawCharts() {
  for (const c of CHARTS) {
    const box = document.getElementById(`chart-${c.key}`);
    if (!box) continue;
    const data = chartData(c);
    const last = data[1].length ? data[1][data[1].length - 1] : undefined;
    box.dataset.points = String(data[0].length);
    box.querySelector(".stat").textContent =
      last === undefined || last === null ? "" : c.unit === "ms" ? ms(last) : `${num(Math.round(last))} ${c.unit}`;
    let plot = state.charts[c.key];
    if (!plot || !box.contains(plot.root)) {
      const series = [
        {},
        { label: c.title, stroke: "#1f6feb", width: 2, fill: "rgba(31,111,235,0.08)", points: { size: 4 } },
      ];
      if (c.interval)
        series.push({ label: "batch interval", stroke: "#cf222e", dash: [6, 4], width: 1.5, points: { show: false } });
      plot = new uPlot(
        {
          width: box.clientWidth - 20,
          height: 170,
          series,
          axes: [{ stroke: "#687385" }, { stroke: "#687385", size: 60 }],
          legend: { show: true },
          cursor: { drag: { x: false, y: false } },
        },
        data,
        box.querySelector(".plot"),
      );
      state.charts[c.key] = plot;
    } else plot.setData(data);
  }
}

function batchRows(list, withReason) {
  return list
    .map(
      (b) =>
        `<tr data-batch="${b.batchTime}"><td><a href="/streaming/batch?id=${b.batchTime}">${time(b.batchTime)}</a></td><td class="num records">${num(b.numRecords)}</td><td class="num">${ms(b.schedulingDelay)}</td><td class="num">${ms(b.processingTime)}</td><td class="num">${ms(b.totalDelay)}</td><td>${b.ops}</td>${withReason ? `<td><pre class="err">${esc(b.failureReason ?? "")}</pre></td>` : `<td><span class="pill">${b.status}</span></td>`}</tr>`,
    )
    .join("");
}
const batchHead = (last) =>
  `<tr><th>Batch time</th><th class="num">Records</th><th class="num">Scheduling delay</th><th class="num">Processing time</th><th class="num">Total delay</th><th>Output ops</th><th>${last}</th></tr>`;

async function streamingPage() {
  const [stats, batches] = await Promise.all([api("/streaming/statistics"), api("/streaming/batches")]);
  state.batchMs = stats.batchDuration;
  state.refused = stats.numRefusedRecords ?? 0;
  state.batches = new Map(batches.map((b) => [b.batchId, fromApi(b)]));
  view.innerHTML = `<h2>Streaming statistics</h2><p class="summary" id="stream-summary"></p>
    <div class="charts">${CHARTS.map((c) => `<div class="chart" id="chart-${c.key}" data-points="0"><h3>${c.title} <span class="muted">(${c.unit})</span><span class="stat"></span></h3><div class="plot"></div></div>`).join("")}</div>
    <h2>Active batches</h2><table id="active-batches"><thead>${batchHead("Status")}</thead><tbody></tbody></table>
    <h2>Completed batches <span class="muted" id="completed-count"></span></h2><table id="completed-batches"><thead>${batchHead("Status")}</thead><tbody></tbody></table>
    <h2>Failed batches</h2><table id="failed-batches"><thead>${batchHead("Failure")}</thead><tbody></tbody></table>`;
  renderStreaming();
}

function renderStreaming() {
  const all = [...state.batches.values()].sort((a, b) => b.batchTime - a.batchTime);
  const done = all.filter((b) => b.status === "COMPLETED");
  const records = done.reduce((n, b) => n + b.numRecords, 0);
  const summary = document.getElementById("stream-summary");
  if (!summary) return;
  const refused = state.refused ? ` ${num(state.refused)} records refused (spark.sluice.onRecordError).` : "";
  summary.textContent = `Batches of ${ms(state.batchMs)}; ${num(done.length)} completed batches retained, ${num(records)} records.${refused}`;
  document.querySelector("#active-batches tbody").innerHTML = batchRows(
    all.filter((b) => b.status !== "COMPLETED"),
    false,
  );
  document.querySelector("#completed-batches tbody").innerHTML = batchRows(done.slice(0, 50), false);
  document.getElementById("completed-count").textContent = `(latest ${Math.min(50, done.length)} of ${done.length})`;
  document.querySelector("#failed-batches tbody").innerHTML = batchRows(
    done.filter((b) => b.failureReason),
    true,
  );
  drawCharts();
}

// ---- Batch, job and stage pages ----

async function stageTable(stageId) {
  const s = await api(`/stages/${stageId}`);
  const tasks = (s.tasks ?? [])
    .map(
      (t) =>
        `<tr><td class="num">${t.partition}</td><td class="num">${t.attempt}</td><td>${t.executorId}</td><td class="num">${ms(t.duration)}</td><td class="num">${num(t.recordsIn)}</td><td class="num">${num(t.recordsOut)}</td><td class="${t.status === "SUCCESS" ? "ok" : "bad"}">${t.status}${t.errorMessage ? `<pre class="err">${esc(t.errorMessage)}</pre>` : ""}</td></tr>`,
    )
    .join("");
  return `<h3>Stage ${s.stageId}: ${esc(s.kind)} — ${esc(s.name)} <span class="pill ${s.status === "COMPLETE" ? "ok" : s.status === "FAILED" ? "bad" : ""}">${s.status}</span></h3>
    <p class="summary">${s.numTasks} tasks; records in ${num(s.inputRecords)}, ${s.kind === "ResultStage" ? `out ${num(s.outputRecords)}` : `shuffle written ${num(s.shuffleWriteRecords)}`}</p>
    <table class="tasks"><thead><tr><th class="num">Partition</th><th class="num">Attempt</th><th>Executor</th><th class="num">Duration</th><th class="num">Records in</th><th class="num">Records out</th><th>Status</th></tr></thead><tbody>${tasks}</tbody></table>`;
}

async function jobSection(jobId) {
  const j = await api(`/jobs/${jobId}`);
  const stages = await Promise.all(j.stageIds.map(stageTable));
  return `<section class="job"><h2>Job ${j.jobId}: ${esc(j.name)} <span class="pill ${j.status === "SUCCEEDED" ? "ok" : j.status === "FAILED" ? "bad" : ""}">${j.status}</span></h2>
    <p class="summary">${j.description ? esc(j.description) + "; " : ""}submitted ${time(j.submissionTime)}, ${j.numTasks} tasks${j.failureReason ? `; <span class="bad">${esc(j.failureReason)}</span>` : ""}</p>${stages.join("")}</section>`;
}

async function batchPage() {
  const id = param("id");
  const [b, ops] = await Promise.all([api(`/streaming/batches/${id}`), api(`/streaming/batches/${id}/operations`)]);
  const sections = [];
  for (const op of ops) {
    const jobs = [];
    for (const j of op.jobIds) jobs.push(await jobSection(j));
    sections.push(
      `<h2>${op.internal ? "Internal job" : "Output operation"} ${op.outputOpId}: ${esc(op.name)} <span class="muted">${ms(op.duration)}</span></h2>${op.failureReason ? `<pre class="err">${esc(op.failureReason)}</pre>` : ""}${jobs.join("") || '<p class="muted">no engine jobs</p>'}`,
    );
  }
  view.innerHTML = `<h2>Batch ${time(b.batchId)}</h2>
    <p class="summary" id="batch-summary">Status ${b.status}; ${num(b.inputSize)} records; scheduling delay ${ms(b.schedulingDelay)}, processing time ${ms(b.processingTime)}, total delay ${ms(b.totalDelay)}</p>${sections.join("")}`;
}

async function jobsPage() {
  const id = param("id");
  if (page() === "/jobs/job" && id !== null) {
    view.innerHTML = await jobSection(id);
    return;
  }
  const jobs = await api("/jobs");
  view.innerHTML = `<h2>Jobs</h2><table id="jobs"><thead><tr><th class="num">Job</th><th>Description</th><th>Batch</th><th>Submitted</th><th class="num">Stages</th><th class="num">Tasks</th><th>Status</th></tr></thead><tbody>${jobs
    .slice(0, 200)
    .map(
      (j) =>
        `<tr><td class="num"><a href="/jobs/job?id=${j.jobId}">${j.jobId}</a></td><td>${esc(j.name)}</td><td>${j.jobGroup ? `<a href="/streaming/batch?id=${j.jobGroup}">${time(Number(j.jobGroup))}</a>` : "–"}</td><td>${time(j.submissionTime)}</td><td class="num">${j.stageIds.length}</td><td class="num">${j.numCompletedTasks}/${j.numTasks}</td><td class="${j.status === "FAILED" ? "bad" : ""}">${j.status}</td></tr>`,
    )
    .join("")}</tbody></table>`;
}

async function stagePage() {
  view.innerHTML = await stageTable(param("id"));
}

// ---- Receivers and environment ----

const COLORS = ["#1f6feb", "#2da44e", "#bf8700", "#8250df", "#cf222e", "#0a7f86"];

async function receiversPage() {
  const list = await api("/streaming/receivers");
  view.innerHTML = `<h2>Receivers</h2>
    <div class="chart" id="chart-receivers" data-points="0"><h3>Records per second, per receiver</h3><div class="plot"></div></div>
    <table id="receivers"><thead><tr><th class="num">Stream</th><th>Receiver</th><th>Status</th><th class="num">Average rate</th><th class="num">Last rate</th><th>Last error</th></tr></thead><tbody>${list.map((r) => `<tr><td class="num">${r.streamId}</td><td>${esc(r.streamName)}</td><td class="${r.isActive ? "ok" : "bad"}">${r.isActive ? "ACTIVE" : "INACTIVE"}</td><td class="num">${num(Math.round(r.avgEventRate ?? 0))} records/s</td><td class="num">${r.eventRates.length ? num(Math.round(r.eventRates[r.eventRates.length - 1][1])) : "–"} records/s</td><td>${r.lastErrorMessage ? `${time(r.lastErrorTime)}<pre class="err">${esc(r.lastErrorMessage)}</pre>` : "–"}</td></tr>`).join("") || '<tr><td colspan="6" class="muted">no receivers</td></tr>'}</tbody></table>`;
  // one series per receiver over the batch times any of them reported
  const times = [...new Set(list.flatMap((r) => r.eventRates.map(([t]) => t)))].sort((a, b) => a - b);
  const box = document.getElementById("chart-receivers");
  box.dataset.points = String(times.length);
  if (times.length === 0) return;
  const series = list.map((r) => {
    const m = new Map(r.eventRates);
    return times.map((t) => m.get(t) ?? null);
  });
  new uPlot(
    {
      width: box.clientWidth - 20,
      height: 180,
      series: [
        {},
        ...list.map((r, i) => ({
          label: r.streamName,
          stroke: COLORS[i % COLORS.length],
          width: 2,
          points: { size: 4 },
        })),
      ],
      axes: [{ stroke: "#687385" }, { stroke: "#687385", size: 60 }],
    },
    [times.map((t) => t / 1000), ...series],
    box.querySelector(".plot"),
  );
}

async function environmentPage() {
  const env = await api("/environment");
  view.innerHTML = `<h2>Environment</h2><h3>Runtime</h3><table><tr><th>Node.js</th><td>${esc(env.runtime.nodeVersion)}</td></tr></table>
    <h3>Properties</h3><table id="conf"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>${env.sparkProperties.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join("")}</tbody></table>`;
}

// ---- Routing and live updates ----

const ROUTES = {
  "/streaming": streamingPage,
  "/streaming/batch": batchPage,
  "/receivers": receiversPage,
  "/jobs": jobsPage,
  "/jobs/job": jobsPage,
  "/stages/stage": stagePage,
  "/environment": environmentPage,
};

async function render() {
  const p = page();
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", p.startsWith(`/${a.dataset.page}`));
  try {
    await (ROUTES[p] ?? streamingPage)();
  } catch (err) {
    view.innerHTML = `<pre class="err">${esc(err.message)}</pre>`;
  }
}

function live() {
  const source = new EventSource("/events");
  const dot = document.getElementById("live");
  source.addEventListener("hello", () => dot.classList.add("on"));
  source.onerror = () => dot.classList.remove("on");
  let refreshReceivers = false;
  source.addEventListener("update", (e) => {
    const ev = JSON.parse(e.data);
    if (ev.kind === "batch") state.batches.set(ev.batch.batchTime, fromEvent(ev.batch));
    if (ev.kind === "receiver") refreshReceivers = true;
    if (state.dirty) return;
    state.dirty = true;
    requestAnimationFrame(() => {
      state.dirty = false;
      if (page() === "/streaming") renderStreaming();
      else if (page() === "/receivers" && refreshReceivers) void receiversPage();
      refreshReceivers = false;
    });
  });
}

async function main() {
  const apps = await (await fetch("/api/v1/applications")).json();
  state.appId = apps[0].id;
  document.getElementById("app-name").textContent = apps[0].name;
  document.title = `${apps[0].name} — Sluice`;
  await render();
  live();
}
void main();
