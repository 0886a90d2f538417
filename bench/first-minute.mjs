// The first minute of a lesson, as a student sees it: a fresh browser opens the page's link (no
// cache, no save) and trains at the opening settings; this prints, per backend, the seconds from
// navigation to the trainer being ready, to the first digits on screen and to the first
// measurement in which the classifier finds all ten classes, with the bytes the server sent.
//
// usage: node bench/first-minute.mjs [seconds=120] [backends=cpu,webgpu,auto] [settings]
//        (after ./build.sh build; auto: the link names no backend, so the page chooses by the
//        adapter; settings: more of the link, e.g. preset=seed_article; without any, the page
//        opens on its opening preset, as a bare link does)
import { launchChromium } from "../tools/chromium.mjs";
import { serve } from "../tools/serve.mjs";

const limitS = Number(process.argv[2] || 120);
const backends = (process.argv[3] || "cpu,webgpu").split(",");
const settings = process.argv[4] ? `&${process.argv[4]}` : "";
const server = await serve(0, "127.0.0.1", "/");
let served = 0;
// Body bytes as sent (the server's handler pipes files through `write` after this listener runs).
server.on("request", (req, res) => {
  const write = res.write;
  res.write = function (chunk, ...rest) {
    served += chunk.length;
    return write.call(this, chunk, ...rest);
  };
});
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launchChromium();

for (const backend of backends) {
  const context = await browser.newContext();
  const page = await context.newPage();
  served = 0;
  const t0 = Date.now();
  await page.goto(`${base}#autostart=1${backend === "auto" ? "" : `&backend=${backend}`}${settings}`);
  const seconds = () => (Date.now() - t0) / 1000;
  const line = { backend, ready_s: null, first_digits_s: null, ten_classes_s: null, ten_classes_step: null };
  for (;;) {
    const s = await page.evaluate(() => window.webgan?.status());
    if (s) {
      if (s.error) { line.error = s.error; break; }
      if (s.ready && line.ready_s === null) Object.assign(line, { ready_s: seconds(), adapter: s.adapter || "cpu", actual: s.backend });
      if (s.frames >= 1 && line.first_digits_s === null) line.first_digits_s = seconds();
      if (s.metrics && s.metrics.covered === 10) {
        Object.assign(line, { ten_classes_s: seconds(), ten_classes_step: s.metrics.step, kl: s.metrics.kl_uniform, fid: s.metrics.fid });
        break;
      }
      line.step = s.step;
      line.steps_per_s = s.stepsPerSecond;
    }
    if (seconds() > limitS) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  line.served_mb = served / 1e6;
  console.log(JSON.stringify(line));
  await context.close();
}
await browser.close();
server.close();
