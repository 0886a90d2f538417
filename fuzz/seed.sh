#!/usr/bin/env bash
# Writes the checkpoint seeds of the fuzz corpus: one small run (hidden 4, z of 1, so a file is
# about 100 KB) per optimiser, with a weight average, made by the command line itself. The
# corpus in git keeps the small inputs the fuzzers found; these large seeds are made again here.
# Each run is also written in the layout of version 2, which has no checksum: almost every
# mutation of a current file fails its checksum, while those of a version 2 file reach the
# checks of the weights, optimiser state and curves behind it.
set -euo pipefail
cd "$(dirname "$0")"
webgan=${WEBGAN_BUILD_DIR:-$HOME/.cache/webgan}/native/release/webgan
for opt in adam sgd momentum nesterov rms_prop; do
  seed=corpus/restore/$opt.ckpt
  "$webgan" train --backend cpu --data ../www/data/mnist.bin.gz --steps 3 --log-every 3 --set hidden=4 \
    --set latent=1 --set opt=$opt --set ema=0.9 --set batch=4 --out /tmp/webgan-fuzz-seed.png --save $seed >/dev/null
  # Version 2: the magic, the version as 2, then everything after the version but the checksum.
  { head -c 8 $seed; printf '\x02\x00\x00\x00'; tail -c +13 $seed | head -c -4; } > corpus/restore/$opt-v2.ckpt
  for version in "" -v2; do
    { printf '\x02'; cat corpus/restore/$opt$version.ckpt; } > corpus/parse/checkpoint-$opt$version
  done
done
