#!/usr/bin/env bash
# Writes the checkpoint seeds of the fuzz corpus: one small run (hidden 4, z of 1, so a file is
# about 100 KB) per optimiser, with a weight average, made by the command line itself. The
# corpus in git keeps the small inputs the fuzzers found; these large seeds are made again here.
set -euo pipefail
cd "$(dirname "$0")"
webgan=${WEBGAN_BUILD_DIR:-$HOME/.cache/webgan}/native/release/webgan
for opt in adam sgd momentum nesterov rms_prop; do
  "$webgan" train --backend cpu --steps 3 --log-every 3 --set hidden=4 --set latent=1 --set opt=$opt \
    --set ema=0.9 --set batch=4 --out /tmp/webgan-fuzz-seed.png --save corpus/restore/$opt.ckpt >/dev/null
  { printf '\x02'; cat corpus/restore/$opt.ckpt; } > corpus/parse/checkpoint-$opt
done
