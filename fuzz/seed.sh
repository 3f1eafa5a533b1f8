#!/bin/sh
# Seed the fuzz corpora (fuzz/corpus/<target>/, git-ignored) from the repository's testdata
# and, when present, ../shared/corpus and ../shared/corpus-edge. Idempotent: files are named
# by content hash, so re-seeding adds only what is new. Needs only POSIX sh, find and cksum.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared="$root/../shared"
corpus="$here/corpus"

# copy TARGET FILE...: one corpus entry per file, named by its checksum.
copy() {
    target=$1
    shift
    mkdir -p "$corpus/$target"
    for f in "$@"; do
        [ -f "$f" ] || continue
        sum=$(cksum <"$f" | cut -d' ' -f1)
        cp "$f" "$corpus/$target/seed-$sum"
    done
}

plans=$(find "$root/testdata/plans" "$root/testdata/fuzz-regressions" -name '*.json' 2>/dev/null || true)
if [ -d "$shared/corpus" ]; then
    plans="$plans $(find "$shared/corpus" "$shared/corpus-edge" -name '*.json')"
fi
# Plans bigger than 256 KiB slow every execution down without adding shapes.
small=""
for f in $plans; do
    if [ "$(wc -c <"$f")" -le 262144 ]; then small="$small $f"; fi
done
# shellcheck disable=SC2086
copy plan_reader $small
# shellcheck disable=SC2086
copy check_pipeline $small

# Rule fixtures are {"before": POLICY, "after": POLICY} pairs: the compare_pair input shape.
pairs=$(find "$root/testdata/rules" -name '*.json')
# shellcheck disable=SC2086
copy compare_pair $pairs

# Single policies: every side of every rule fixture and every trust document of the plans,
# extracted with jq when it is installed (otherwise the fixtures alone still seed it).
mkdir -p "$corpus/policy_parser"
if command -v jq >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    n=0
    for f in $pairs; do
        for side in before after; do
            n=$((n + 1))
            jq -c ".$side // empty" "$f" >"$tmp/p$n.json" 2>/dev/null || true
        done
    done
    for f in $small; do
        jq -r '.. | objects | (.assume_role_policy? // empty) | strings' "$f" 2>/dev/null |
            while IFS= read -r line; do
                n=$((n + 1))
                printf '%s' "$line" >"$tmp/t$n-$(printf '%s' "$line" | cksum | cut -d' ' -f1).json"
            done || true
    done
    # Empty files (no such side) are not worth a corpus entry.
    find "$tmp" -type f -empty -delete
    # shellcheck disable=SC2046
    copy policy_parser $(find "$tmp" -type f)
    rm -rf "$tmp"
fi
copy policy_parser $(find "$root/testdata/config" -name '*.json')

for t in plan_reader check_pipeline compare_pair policy_parser; do
    echo "seeded $t: $(find "$corpus/$t" -type f | wc -l) inputs"
done
