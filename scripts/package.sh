#!/usr/bin/env bash
# Packs one release binary: dist/trustgate-VERSION-TARGET.tar.gz holding the directory
# trustgate-VERSION-TARGET/ with the binary, LICENSE and README.md. The release workflow runs it
# for every target, and the GitHub Action downloads archives by exactly this name.
#
#   scripts/package.sh VERSION TARGET [BINARY]
#
# BINARY defaults to target/TARGET/release/trustgate (trustgate.exe for Windows targets);
# DIST (environment) is where the archive goes, default dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
  echo "usage: scripts/package.sh VERSION TARGET [BINARY]" >&2
  exit 2
fi
version=$1
target=$2
exe=trustgate
case "$target" in *windows*) exe=trustgate.exe ;; esac
binary=${3:-target/$target/release/$exe}
if [ ! -f "$binary" ]; then
  echo "scripts/package.sh: no binary at $binary" >&2
  exit 2
fi

name="trustgate-$version-$target"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dist=${DIST:-dist}
mkdir -p "$stage/$name" "$dist"
cp "$binary" "$stage/$name/$exe"
chmod +x "$stage/$name/$exe"
cp LICENSE README.md "$stage/$name/"
tar -C "$stage" -czf "$dist/$name.tar.gz" "$name"
echo "$dist/$name.tar.gz"
