#!/usr/bin/env bash
# The vendored crates as "crates.io release + patch". Each vendor/patches/<crate>-<version>.patch
# holds webgan's changes to that release: a header (the release's SHA-256 and the package files
# left out) and a git-style diff, which includes the crate's PATCHED.md (what changed and why).
#   tools/revendor.sh          re-create each vendor/<crate> from the release and its patch
#                              (a crate that already matches is left alone)
#   tools/revendor.sh check    fail if vendor/ is not exactly what the first form would make
#   tools/revendor.sh diff     write each patch again from vendor/<crate> as edited
# Releases are downloaded once into $WEBGAN_BUILD_DIR/crates (default ~/.cache/webgan/crates),
# checked against the SHA-256 in the patch, and read from there afterwards (offline too).
set -euo pipefail
shopt -s inherit_errexit nullglob
cd "$(dirname "$0")/.."

CACHE="${WEBGAN_BUILD_DIR:-$HOME/.cache/webgan}/crates"
PATCHES=vendor/patches
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

die() { echo "revendor: $*" >&2; exit 1; }

# Sets NAME and VERSION from a patch's file name: burn-cubecl-0.22.1.patch is burn-cubecl 0.22.1
# (crate names may hold dashes, versions start with a digit).
name_of() {
  local base
  base=$(basename "$1" .patch)
  [[ "$base" =~ ^(.+)-([0-9]+\.[0-9]+\.[0-9]+.*)$ ]] || die "$1: not named <crate>-<version>.patch"
  NAME=${BASH_REMATCH[1]} VERSION=${BASH_REMATCH[2]}
}

# A field of a patch's header ("SHA-256", "Left out"), which ends at the first "diff --git".
header_field() { sed -n "/^diff --git /q; s/^$2: *//p" "$1"; }

# Puts the release's .crate file into the cache (from cargo's own cache or crates.io) unless it is
# there, and checks it against `sha`.
fetch_crate() {
  local name=$1 version=$2 sha=$3 file="$CACHE/$1-$2.crate"
  if [[ ! -f "$file" ]]; then
    mkdir -p "$CACHE"
    local cargo_copies=("${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$name-$version.crate")
    if ((${#cargo_copies[@]})); then
      cp "${cargo_copies[0]}" "$file.part"
    else
      # Where crates.io's download API redirects to. Bounded, so that no network fails at once.
      echo "revendor: downloading $name $version from crates.io" >&2
      curl --fail --silent --show-error --location --connect-timeout 15 --max-time 300 \
        -o "$file.part" "https://static.crates.io/crates/$name/$name-$version.crate" ||
        { rm -f "$file.part"; die "cannot download $name $version (no network?) and $file is not cached"; }
    fi
    mv "$file.part" "$file"
  fi
  if [[ -n "$sha" ]] && ! echo "$sha  $file" | sha256sum --check --status; then
    rm -f "$file"
    die "$name-$version.crate does not have the SHA-256 in its patch ($sha); removed it from the cache"
  fi
}

# Extracts the release NAME VERSION (checked against `sha`) into $WORK/a.
extract_release() {
  fetch_crate "$NAME" "$VERSION" "$1"
  rm -rf "$WORK/a" "$WORK/$NAME-$VERSION"
  tar -xzf "$CACHE/$NAME-$VERSION.crate" -C "$WORK"
  mv "$WORK/$NAME-$VERSION" "$WORK/a"
}

# Makes $WORK/a what vendor/<crate> must be: the release, less the files left out, patched.
expected_tree() {
  local patch=$1 path
  name_of "$patch"
  extract_release "$(header_field "$patch" SHA-256)"
  for path in $(header_field "$patch" "Left out"); do rm -rf "${WORK:?}/a/$path"; done
  # No repository above $WORK may capture the paths (git apply works outside a repository).
  GIT_CEILING_DIRECTORIES="$WORK" git -C "$WORK/a" apply -p1 --whitespace=nowarn "$PWD/$patch" ||
    die "$patch does not apply to $NAME $VERSION"
}

PATCH_FILES=("$PATCHES"/*.patch)
((${#PATCH_FILES[@]})) || die "no patches in $PATCHES"

# Makes `dst` a copy of `src`, writing only the files that differ: cargo rebuilds a path
# dependency (and all that depends on it) when a source file's modification time moves.
sync_tree() {
  local src=$1 dst=$2 file
  mkdir -p "$dst"
  while IFS= read -r -d '' file; do
    cmp -s "$src/$file" "$dst/$file" || { mkdir -p "$(dirname "$dst/$file")" && cp "$src/$file" "$dst/$file"; }
  done < <(cd "$src" && find . -type f -print0)
  while IFS= read -r -d '' file; do
    [[ -e "$src/$file" ]] || rm -rf "${dst:?}/$file"
  done < <(cd "$dst" && find . -mindepth 1 -depth -print0)
}

apply() {
  local patch target tree="$WORK/a"
  for patch in "${PATCH_FILES[@]}"; do
    expected_tree "$patch"
    target="vendor/$NAME"
    if [[ -d "$target" ]] && diff -r -q "$tree" "$target" >/dev/null; then
      echo "revendor: $target is up to date" >&2
    else
      sync_tree "$tree" "$target"
      echo "revendor: $target re-created from $(basename "$patch")" >&2
    fi
  done
}

check() {
  local patch target tree="$WORK/a" failed=0 dir own
  for patch in "${PATCH_FILES[@]}"; do
    expected_tree "$patch"
    target="vendor/$NAME"
    if ! diff -r -u "$tree" "$target" >"$WORK/differences"; then
      head -n 40 "$WORK/differences" >&2
      echo "revendor: $target differs from crates.io + $patch (tools/revendor.sh diff writes the patch again; tools/revendor.sh puts the tree back)" >&2
      failed=1
    fi
  done
  for dir in vendor/*/; do
    dir=${dir%/}
    [[ "$dir" == "$PATCHES" ]] && continue
    own=("$PATCHES/${dir#vendor/}"-[0-9]*.patch)
    ((${#own[@]})) || { echo "revendor: $dir has no patch in $PATCHES" >&2; failed=1; }
  done
  ((failed == 0)) || exit 1
  echo "revendor: vendor/ is crates.io + $PATCHES" >&2
}

# Writes each patch again from vendor/<crate>: the release's files that vendor/ lacks are left
# out by name (a diff deleting Cargo.lock would be thousands of lines), the rest is the diff.
diff_all() {
  local patch target sha left_out path
  for patch in "${PATCH_FILES[@]}"; do
    name_of "$patch"
    target="vendor/$NAME"
    [[ -d "$target" ]] || die "$target is missing"
    sha=$(header_field "$patch" SHA-256)
    [[ -n "$sha" ]] || die "$patch has no SHA-256 line (the crate's cksum in the crates.io index)"
    extract_release "$sha"
    left_out=$( (LC_ALL=C diff -r -q "$WORK/a" "$target" || true) | sed -n "s|^Only in $WORK/a/*\(.*\): \(.*\)|\1/\2|p" |
      sed 's|^/||' | LC_ALL=C sort | tr '\n' ' ')
    for path in $left_out; do rm -rf "${WORK:?}/a/$path"; done
    rm -rf "$WORK/b" && cp -R "$target" "$WORK/b"
    {
      echo "webgan's changes to $NAME $VERSION from crates.io: tools/revendor.sh makes vendor/$NAME"
      echo "from the release by deleting the files left out and applying the diff below, whose"
      echo "PATCHED.md says what differs and why. Edit vendor/$NAME, then run tools/revendor.sh diff."
      echo
      echo "SHA-256: $sha"
      echo "Left out: ${left_out% }"
      echo
      # Plain git: no user configuration (colour, prefixes, external diff) may shape the patch.
      (cd "$WORK" && LC_ALL=C GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null git diff --no-index \
        --no-prefix --no-renames --no-color --no-ext-diff a b || [[ $? == 1 ]])
    } >"$patch"
    rm -rf "$WORK/a" "$WORK/b"
    echo "revendor: wrote $patch" >&2
  done
}

case "${1:-apply}" in
  apply) apply ;;
  check) check ;;
  diff) diff_all ;;
  *) echo "usage: tools/revendor.sh [apply|check|diff]" >&2; exit 2 ;;
esac
