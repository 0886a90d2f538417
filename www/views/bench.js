// "Check this computer", the page's side: starts a worker of its own for the benchmark (so the
// run on screen and its automatic save are untouched), shows its progress, and paints its report
// (src/device/bench.rs decides what is run and what the figures mean): the adapter, a table of the
// runs, the verdict in the reader's language, and the report as JSON lines to copy or download.

/** The report's lines as JSON Lines: one line per backend × workload, to paste beside other
 * machines' lines. */
const jsonLines = (report) => report.lines.map((line) => JSON.stringify(line)).join("\n") + "\n";

export class Bench {
  /**
   * @param {(id: string) => any} $ the page's elements by id
   * @param {{t: (key: string, values?: object) => string, rateText: (perSecond: number) => string,
   *   download: (name: string, blob: Blob) => void, workerUrl: URL}} page
   */
  constructor($, page) {
    this.$ = $;
    this.page = page;
    /** The last report, painted again when the language changes. */
    this.report = null;
    /** The benchmark on its way, so that a second request waits for the same one. */
    this.running = null;
    $("bench-copy").onclick = () => this.copy();
    $("bench-download").onclick = () => this.report && page.download("webgan-check.jsonl", new Blob([jsonLines(this.report)], { type: "application/x-ndjson" }));
  }

  /** Runs the benchmark with windows of `seconds` (the plan's default when undefined) in a new
   * worker, and resolves to the report `{lines, verdict, sentence}`. */
  run(seconds) {
    this.running ??= this.measure(seconds).finally(() => { this.running = null; });
    return this.running;
  }

  async measure(seconds) {
    const { $, page: { t } } = this;
    $("bench-run").disabled = true;
    $("bench-error").hidden = true;
    this.progress(0, t("bench_loading"));
    const worker = new Worker(this.page.workerUrl, { type: "module" });
    try {
      const report = await new Promise((resolve, reject) => {
        worker.onmessage = ({ data: m }) => {
          if (m.type === "bench_progress") {
            const what = { workload: t(`bench_workload_${m.workload}`), backend: t(`bench_backend_${m.backend}`), index: m.index + 1, count: m.count };
            this.progress((m.index + m.fraction) / m.count, t("bench_progress", what));
          } else if (m.type === "bench_report") resolve(m.report);
          else if (m.type === "error") reject(new Error(t(m.key, m.values)));
          else if (m.type === "crashed") reject(new Error(m.detail));
        };
        worker.onerror = (e) => reject(new Error(e.message || t("worker_failed")));
        worker.postMessage({ type: "bench", seconds });
      });
      this.report = report;
      this.paint();
      return { ...report, sentence: this.sentence() };
    } catch (e) {
      $("bench-error").hidden = false;
      $("bench-error").textContent = t("bench_failed", { detail: /** @type {Error} */ (e).message });
      throw e;
    } finally {
      worker.terminate(); // a GPU step given up at its deadline ends with it
      $("bench-progress").hidden = true;
      $("bench-run").disabled = false;
    }
  }

  progress(fraction, text) {
    const box = this.$("bench-progress");
    box.hidden = false;
    box.querySelector(".bar").style.width = `${Math.round(fraction * 100)}%`;
    box.querySelector(".text").textContent = text;
  }

  /** A duration in seconds, minutes or hours. */
  duration(seconds) {
    const { t } = this.page;
    if (seconds < 120) return t("duration_s", { n: Math.round(seconds) });
    if (seconds < 2 * 3600) return t("duration_min", { n: Math.round(seconds / 60) });
    return t("duration_h", { n: Math.round(seconds / 3600) });
  }

  /** The verdict in the reader's language. */
  sentence() {
    const { t, rateText } = this.page;
    const v = this.report.verdict;
    const backend = (best) => (best ? t(`bench_backend_${best.backend}`) : "");
    return t(v.key, {
      mlp: v.mlp ? rateText(v.mlp.steps_per_s) : "", mlp_backend: backend(v.mlp),
      opening: v.opening ? rateText(v.opening.steps_per_s) : "", opening_backend: backend(v.opening),
      digits: v.digits_s == null ? "" : this.duration(v.digits_s),
      dcgan: v.dcgan ? rateText(v.dcgan.steps_per_s) : "", dcgan_backend: backend(v.dcgan),
      dcgan_over: v.dcgan_over_s == null ? "" : this.duration(v.dcgan_over_s),
    });
  }

  /** Paints the last report (again, in the reader's language after a change of language). */
  paint() {
    if (!this.report) return;
    const { $, page: { t } } = this;
    const { lines } = this.report;
    const first = lines[0] ?? {};
    $("bench-report").hidden = false;
    $("bench-verdict").textContent = this.sentence();
    const name = [first.vendor, first.architecture, first.device, first.description].filter(Boolean).join(" ");
    const machine = [
      ["bench_adapter", first.fallback == null ? t("bench_no_adapter") : name || "–"],
      ["bench_fallback", first.fallback == null ? "–" : t(first.fallback ? "bench_yes" : "bench_no")],
      ["bench_features", first.features?.length ? first.features.join(", ") : t("bench_none")],
      ["bench_default", t(`bench_backend_${first.page_default}`)],
      ["bench_threads", String(first.threads ?? "–")],
    ];
    $("bench-machine").replaceChildren(...machine.flatMap(([key, value]) => {
      const term = document.createElement("dt");
      const text = document.createElement("dd");
      term.textContent = t(key);
      text.textContent = value;
      return [term, text];
    }));
    const number = (x, digits) => (x == null ? "–" : x.toLocaleString(document.documentElement.lang, { maximumFractionDigits: digits }));
    const firstStep = (line) => {
      if (line.first_step_ms != null && line.first_step_ms < 1000) return t("duration_ms", { n: number(line.first_step_ms, 0) });
      if (line.first_step_ms != null) return t("duration_s", { n: number(line.first_step_ms / 1000, 1) });
      if (line.first_step_over_ms != null) return t("bench_over", { time: this.duration(line.first_step_over_ms / 1000) });
      return "–";
    };
    $("bench-rows").replaceChildren(...lines.map((line) => {
      const row = document.createElement("tr");
      const cells = [
        t(`bench_backend_${line.backend}`), t(`bench_workload_${line.workload}`), firstStep(line),
        number(line.ms_per_step, 1), number(line.steps_per_s, 1), number(line.dispatches_per_step, 0),
      ];
      for (const value of cells) {
        const cell = document.createElement("td");
        cell.textContent = value;
        row.append(cell);
      }
      if (line.error) {
        row.title = line.error;
        row.classList.add("unmeasured");
      }
      return row;
    }));
    $("bench-text").value = jsonLines(this.report);
  }

  copy() {
    if (!this.report) return;
    const { $, page: { t } } = this;
    navigator.clipboard.writeText(jsonLines(this.report)).then(
      () => { $("bench-copied").textContent = t("bench_copied"); },
      () => {
        $("bench-text").select();
        $("bench-copied").textContent = t("bench_copy_failed");
      },
    );
  }
}
