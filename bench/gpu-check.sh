#!/usr/bin/env bash
# ms/step and dispatches per step of webgan natively on a GPU through burn-wgpu (Vulkan), in two
# builds: like the browser (no autotune; operations fused on a hardware adapter, as the page does)
# and the native default (autotune and fusion), for the mlp at
# batch 64, 256 and 1024 and the dcgan at 64. Meant as one prepared command for a lent machine with
# a hardware GPU (bench/README.md, "A real GPU"); figures from a software adapter (lavapipe, in the
# dry run) say nothing about hardware.
#
# usage: bench/gpu-check.sh prepare    here: build both binaries, strip and gzip them with the
#                                      digits into .gpu-check/, fetch the Vulkan loader's packages
#                                      into .gl/ (both ignored by git), print the command to run
#        bench/gpu-check.sh run        there: unpack what is missing, measure, print JSON lines
#                                      and a table (also to $OUT/gpu-check.jsonl where $OUT is set)
#        bench/gpu-check.sh dry-run    here: the same run against lavapipe, with fewer steps
# GPU_CHECK_MODES="like-browser native-default" (the default) chooses the builds measured.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR="${WEBGAN_BUILD_DIR:-$HOME/.cache/webgan}"
PACK=.gpu-check
# What travels besides the working tree; the device tool's limit is 64 MiB for everything.
LIMIT_BYTES=$((64 * 1024 * 1024))
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

prepare() {
  command -v strip >/dev/null || { echo "strip (binutils) is needed" >&2; exit 1; }
  grep -qx '/.gl/' .git/info/exclude 2>/dev/null || echo /.gl/ >> .git/info/exclude
  grep -qx "/$PACK/" .git/info/exclude || echo "/$PACK/" >> .git/info/exclude
  mkdir -p "$PACK" .gl
  say "the native default binary (autotune, fusion)"
  CARGO_TARGET_DIR="$BUILD_DIR/native" cargo build --release --locked --bin webgan
  say "the browser-like binary (neither; a target directory of its own, since the flag rebuilds everything)"
  RUSTFLAGS="--cfg webgan_like_browser" CARGO_TARGET_DIR="$BUILD_DIR/native-like-browser" \
    cargo build --release --locked --bin webgan
  for pair in "native:webgan" "native-like-browser:webgan-like-browser"; do
    strip -o "$PACK/${pair#*:}" "$BUILD_DIR/${pair%%:*}/release/webgan"
    gzip -9 -f "$PACK/${pair#*:}"
  done
  cp www/data/mnist.bin.gz "$PACK/"
  say "the Vulkan loader's Debian packages (amd64, the lent machine's processor)"
  if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
    mkdir -p /tmp/amd64/partial
    local o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
    apt-get "${o[@]}" update -qq
    (cd .gl && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
  fi
  local tree carried
  tree=$(git ls-files -z --cached --others --exclude-standard | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
  carried=$(du -cb "$PACK" .gl | tail -1 | cut -f1)
  ls -l "$PACK" .gl >&2
  awk -v t="$tree" -v c="$carried" 'BEGIN { m = 1048576; printf "working tree %.1f MiB + carried %.1f MiB = %.1f MiB of 64\n", t / m, c / m, (t + c) / m }' >&2
  if ((tree + carried > LIMIT_BYTES)); then echo "over the device tool's 64 MiB: carry less" >&2; exit 1; fi
  say "on a lent machine, call the device tool's run with"
  echo "  command: bash bench/gpu-check.sh run     carry: [\".gl\", \"$PACK\"]     timeout_s: 540"
}

# Runs one bench invocation; prints its JSON line, or a line saying why there is none.
bench_line() {
  local bin=$1 mode=$2 workload=$3 batch=$4 steps=$5 repeats=$6
  local flags=(bench --backend wgpu --data "$DIGITS" --steps "$steps" --repeats "$repeats")
  [[ $mode == like-browser ]] && flags+=(--like-browser)
  if [[ $workload == dcgan ]]; then flags+=(--set model=dcgan); else flags+=(--set "batch=$batch"); fi
  timeout "$PER_RUN_S" "$bin" "${flags[@]}" 2>>"$WORK/stderr.log" ||
    printf '{"implementation":"webgan","where":"native","backend":"wgpu","execution":"%s","workload":"%s","batch":%s,"error":"exit %s (%s)"}\n' \
      "$mode" "$workload" "$batch" "$?" "stderr in the log"
}

# Kernel launches per step, from cubecl's own log of every kernel it launches (profiling level
# "minimal": the kernel's name, no timing), which a cubecl.toml in the working directory turns
# on. Two runs differ only in their step count, so start-up, warm-up and autotuning cancel out
# (autotuning made deterministic for them: a fixed number of samples, no short cut); each launch
# is one compute dispatch, as the page counts them.
dispatches() {
  local bin=$1 mode=$2 workload=$3 batch=$4 few=$5 many=$6 counts=()
  printf '[profiling.logger]\nlevel = "minimal"\nfile = "%s"\nappend = true\n[autotune]\ndisable_short_circuit = true\n[autotune.bench]\nadaptive = false\n' \
    "$WORK/kernels.log" > "$WORK/cubecl.toml"
  for steps in "$few" "$many"; do
    rm -f "$WORK/kernels.log"
    bench_line "$bin" "$mode" "$workload" "$batch" "$steps" 1 > /dev/null
    sleep 1 # the log is written by a task of its own
    counts+=("$(grep -c 'Executing ' "$WORK/kernels.log" 2>/dev/null || true)")
  done
  rm -f "$WORK/cubecl.toml" "$WORK/kernels.log"
  # bench runs 1 + steps·(1 + repeats) steps: two runs of repeats 1 differ by 2·(many − few).
  printf '{"implementation":"webgan","where":"native","backend":"wgpu","execution":"%s","workload":"%s","batch":%s,"dispatches_per_step":%s,"counted":"cubecl kernel log, %s against %s steps"}\n' \
    "$mode" "$workload" "$batch" "$(awk -v a="${counts[0]:-0}" -v b="${counts[1]:-0}" -v n="$((2 * (many - few)))" 'BEGIN { printf "%.1f", (b - a) / n }')" "$many" "$few"
}

measure() {
  local dry=$1
  WORK=$(mktemp -d)
  local lines="$WORK/lines.jsonl"
  if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
    say "no Vulkan loader here: unpacking the carried packages (.gl/)"
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  if [[ $dry == 1 ]]; then
    export VK_DRIVER_FILES
    VK_DRIVER_FILES=$(ls /usr/share/vulkan/icd.d/lvp_icd.*.json | head -1)
  elif [[ -z ${VK_DRIVER_FILES:-} && -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]]; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  fi
  command -v nvidia-smi >/dev/null && nvidia-smi -L >&2 || true
  local -A binaries=([like-browser]=webgan-like-browser [native-default]=webgan)
  local -A built=([like-browser]=native-like-browser [native-default]=native)
  local modes=(${GPU_CHECK_MODES:-like-browser native-default})
  for mode in "${modes[@]}"; do
    local name=${binaries[$mode]}
    if [[ -f $PACK/$name.gz ]]; then
      gunzip -c "$PACK/$name.gz" > "$WORK/$name"
      DIGITS=$PWD/$PACK/mnist.bin.gz
    else
      cp "$BUILD_DIR/${built[$mode]}/release/webgan" "$WORK/$name"
      DIGITS=$PWD/www/data/mnist.bin.gz
    fi
    chmod +x "$WORK/$name"
    binaries[$mode]=$WORK/$name
  done
  # Steps per timed repetition (mlp, dcgan), repetitions, and the two counting runs' steps.
  local mlp=50 dcgan=5 repeats=3 few=2 many=6 batches=(64 256 1024)
  PER_RUN_S=240
  if [[ $dry == 1 ]]; then mlp=5 dcgan=1 repeats=1 few=1 many=2 batches=(64) PER_RUN_S=400; fi
  (
    cd "$WORK"
    for mode in "${modes[@]}"; do
      local bin=${binaries[$mode]}
      say "$mode: ms/step"
      for batch in "${batches[@]}"; do bench_line "$bin" "$mode" mlp "$batch" "$mlp" "$repeats"; done
      bench_line "$bin" "$mode" dcgan 64 "$dcgan" "$repeats"
      say "$mode: dispatches per step"
      dispatches "$bin" "$mode" mlp 64 "$few" "$many"
      dispatches "$bin" "$mode" dcgan 64 "$few" "$many"
    done
  ) | tee "$lines"
  [[ -n ${OUT:-} ]] && cp "$lines" "$OUT/gpu-check.jsonl"
  [[ -s $WORK/stderr.log ]] && { echo "--- stderr (last lines)" >&2; tail -5 "$WORK/stderr.log" >&2; }
  [[ -n ${OUT:-} && -s $WORK/stderr.log ]] && cp "$WORK/stderr.log" "$OUT/gpu-check.stderr.log"
  python3 - "$lines" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def find(mode, w, b, key):
    return next((l for l in lines if l.get("execution") == mode and l["workload"] == w and l["batch"] == b and key in l), None)
def cell(mode, w, b):
    t, d = find(mode, w, b, "ms_per_step"), find(mode, w, b, "dispatches_per_step")
    ms = "—" if t is None else f"{t['ms_per_step']['median']:.2f}"
    return ms + ("" if d is None else f" ({d['dispatches_per_step']})")
adapter = next((l["adapter"] for l in lines if "adapter" in l), "no adapter")
print(f"\n{adapter}: ms/step medians (dispatches per step), browser-like against native default")
for w, b in dict.fromkeys((l["workload"], l["batch"]) for l in lines):
    print(f"{w} {b}: like-browser {cell('like-browser', w, b)}, native-default {cell('native-default', w, b)}")
EOF
  rm -rf "$WORK"
}

case "${1:-}" in
  prepare) prepare ;;
  run) measure 0 ;;
  dry-run) measure 1 ;;
  *) echo "usage: bench/gpu-check.sh prepare|run|dry-run" >&2; exit 2 ;;
esac
