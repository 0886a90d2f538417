// Page wiring only: controls → worker commands, worker frames → views. No training maths here.
import { Chart } from "./views/chart.js";
import { SampleGrid } from "./views/samples.js";
import { loadLanguage, otherLanguage, t } from "./i18n.js";

/** URL-hash keys that belong to the page rather than to the training settings. */
const PAGE_KEYS = { autostart: ["0", "1"], backend: ["webgpu", "cpu"], lang: ["en", "zh-CN"] };
const SETTING_FIELDS = ["seed", "batch", "lr_g", "lr_d", "beta1", "beta2"];

const $ = (id) => document.getElementById(id);
const chart = new Chart($("chart"));
const grid = new SampleGrid($("samples"));

/** What `window.webgan.status()` reports; the names are a stable contract for scripts and tests. */
const status = {
  running: false, step: 0, backend: "", adapter: "", loss_d: NaN, loss_g: NaN, d_real: NaN, d_fake: NaN,
  error: "", ready: false, firstStepMs: NaN, stepsPerSecond: 0, notice: "",
};
window.webgan = { status: () => ({ ...status }) };

function showError(message) {
  status.error = message;
  const box = $("error");
  box.hidden = !message;
  box.textContent = message ? `${t("error_title")} ${message}` : "";
}

/** Splits the URL hash into page options and the settings query the trainer parses. */
function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const page = { autostart: "0", backend: "webgpu", lang: "" };
  const problems = [];
  const settings = new URLSearchParams();
  for (const [key, value] of params) {
    if (key in PAGE_KEYS) {
      if (PAGE_KEYS[key].includes(value)) page[key] = value;
      else problems.push(`\`${key}\` = "${value}" is not allowed: use one of ${PAGE_KEYS[key].join(", ")}`);
    } else {
      settings.append(key, value);
    }
  }
  return { page, query: settings.toString(), problems };
}

function settingsQuery() {
  const form = new FormData($("settings"));
  const params = new URLSearchParams();
  for (const name of SETTING_FIELDS) {
    const value = String(form.get(name) ?? "").trim();
    if (value !== "") params.set(name, value);
  }
  return params.toString();
}

function fillSettings(config) {
  const values = { seed: config.seed, batch: config.batch_size, lr_g: config.lr_g, lr_d: config.lr_d, beta1: config.beta1, beta2: config.beta2 };
  const form = $("settings");
  for (const name of SETTING_FIELDS) form.elements[name].value = values[name];
}

/** Keeps the address bar a link to the current run, for sharing with a class. */
function rememberInHash(query) {
  const params = new URLSearchParams(query);
  const { page } = readHash();
  if (page.backend !== "webgpu") params.set("backend", page.backend);
  if (page.lang) params.set("lang", page.lang);
  history.replaceState(null, "", `#${params}`);
}

function renderStatus() {
  const backend = status.backend === "webgpu" ? t("backend_webgpu", { adapter: status.adapter }) : t("backend_cpu");
  const rate = status.stepsPerSecond ? status.stepsPerSecond.toFixed(1) : "–";
  $("status").textContent = `${t("status", { step: status.step, rate, backend })} · ${t(status.running ? "running" : "paused")}`;
  $("train").disabled = !status.ready || status.running;
  $("pause").disabled = !status.ready || !status.running;
  $("step").disabled = !status.ready || status.running;
  $("reset").disabled = !status.ready;
}

function onFrame(m) {
  if (m.rows.length) {
    const last = m.rows.subarray(m.rows.length - 5);
    [status.loss_d, status.loss_g, status.d_real, status.d_fake] = Array.from(last.subarray(1));
    chart.add(m.rows);
  }
  status.step = m.step;
  if (m.stepsPerSecond) status.stepsPerSecond = m.stepsPerSecond;
  status.running = m.running;
  grid.show(m.samples, m.side);
  status.frames = (status.frames || 0) + 1;
}

let drawQueued = false;
function redraw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    chart.draw();
    renderStatus();
  });
}

async function main() {
  const { page, query, problems } = readHash();
  await loadLanguage(page.lang);
  $("lang").textContent = otherLanguage() === "zh-CN" ? "中文" : "English";
  $("lang").onclick = () => {
    const params = new URLSearchParams(location.hash.slice(1));
    params.set("lang", otherLanguage());
    history.replaceState(null, "", `#${params}`);
    loadLanguage(otherLanguage()).then(() => {
      $("lang").textContent = otherLanguage() === "zh-CN" ? "中文" : "English";
      renderStatus();
    });
  };
  if (problems.length) showError(problems.join("\n"));

  const worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
  const send = (message) => worker.postMessage(message);
  const progressBox = $("progress");

  worker.onmessage = ({ data: m }) => {
    switch (m.type) {
      case "progress":
        progressBox.hidden = false;
        progressBox.querySelector(".bar").style.width = `${Math.round(m.fraction * 100)}%`;
        progressBox.querySelector(".text").textContent = t(m.key);
        break;
      case "ready":
        Object.assign(status, { ready: true, backend: m.backend, adapter: m.adapter, notice: m.notice, firstStepMs: m.firstStepMs });
        progressBox.hidden = true;
        $("notice").hidden = !m.notice;
        $("notice").textContent = m.notice;
        fillSettings(m.config);
        if (page.autostart === "1") {
          status.running = true;
          send({ type: "run" });
        }
        break;
      case "frame":
        onFrame(m);
        break;
      case "config":
        fillSettings(m.config);
        showError("");
        break;
      case "error":
        status.running = false;
        if (m.fatal) progressBox.hidden = true;
        showError(m.message);
        break;
    }
    redraw();
  };
  worker.onerror = (e) => {
    showError(e.message || "the training worker failed to start");
    redraw();
  };

  $("train").onclick = () => { showError(""); status.running = true; send({ type: "run" }); redraw(); };
  $("pause").onclick = () => { status.running = false; send({ type: "pause" }); redraw(); };
  $("step").onclick = () => { showError(""); send({ type: "step" }); };
  $("reset").onclick = () => {
    showError("");
    const q = settingsQuery();
    chart.clear();
    status.stepsPerSecond = 0;
    rememberInHash(q);
    send({ type: "reset", query: q });
  };
  $("settings").onsubmit = (e) => {
    e.preventDefault();
    const q = settingsQuery();
    rememberInHash(q);
    send({ type: "config", query: q });
  };
  document.addEventListener("keydown", (e) => {
    if (e.target.closest && e.target.closest("input, textarea")) return;
    if (e.key === " ") { e.preventDefault(); (status.running ? $("pause") : $("train")).click(); }
    if (e.key === "s" && !status.running) $("step").click();
  });

  renderStatus();
  send({ type: "init", query, backend: page.backend });
}

main().catch((e) => showError(e.message));
