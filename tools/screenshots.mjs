// Screenshots of the page at the sizes it must work at (a laptop, a projector, a phone), taken
// once it has trained a little: `node tools/screenshots.mjs [dir=test-results] [hash=autostart=1&backend=cpu] [seconds=20]`.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "./chromium.mjs";
import { serve } from "./serve.mjs";

const [dir = "test-results", hash = "autostart=1&backend=cpu", seconds = "20"] = process.argv.slice(2);
const SIZES = [[1280, 900], [1024, 768], [390, 844]];
mkdirSync(dir, { recursive: true });
const server = await serve(0, "127.0.0.1", "/");
const browser = await launchChromium();
for (const [width, height] of SIZES) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/#${hash}`);
  await page.screenshot({ path: join(dir, `start-${width}x${height}.png`) });
  await page.waitForTimeout(Number(seconds) * 1000);
  await page.screenshot({ path: join(dir, `page-${width}x${height}.png`) });
  console.log(`${width}×${height}: ${JSON.stringify(await page.evaluate(() => ({ step: window.webgan.status().step, wide: document.documentElement.scrollWidth })))}`);
  await context.close();
}
await browser.close();
server.close();
