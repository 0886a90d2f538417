// Headless Debian Chromium with WebGPU (SwiftShader where there is no GPU), started the one way
// the page test, the benchmark, the profile and the soak all need: no sandbox (root), and no
// background networking, which this machine's closed network would refuse at every start.
import { chromium } from "playwright-core";

/** Launches /usr/bin/chromium headless with WebGPU enabled, plus `extraArgs`. */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--enable-unsafe-webgpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", ...extraArgs],
  });
}
