#!/usr/bin/env bash
# The GitHub Action's work (action.yml runs it; tests run it with a local release directory):
# install a released trustgate (checksum verified, reused when already installed), run
# `trustgate check` on the plans, and hand the results back to the workflow: SARIF and Markdown
# files, the Markdown in the job's step summary, step outputs, and optionally the pull-request
# comment. Exits with check's exit code (0 pass, 1 blocked, 2 could not run).
#
# Inputs arrive as TRUSTGATE_ACTION_* variables (action.yml maps its inputs onto them).
set -euo pipefail

die() {
  echo "::error title=trustgate::$*"
  exit 2
}

# --- which release ----------------------------------------------------------------------------

version=${TRUSTGATE_ACTION_VERSION:-}
version=${version#v}
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
  die "the version input must be a released version such as 0.1.0 (got \`${TRUSTGATE_ACTION_VERSION:-}\`): pin it so every run checks with the same rules"
fi

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) die "no trustgate release for a ${RUNNER_OS:-?}/${RUNNER_ARCH:-?} runner (Linux and macOS on X64 or ARM64, Windows on X64)" ;;
esac
exe=trustgate
if [ "$RUNNER_OS" = Windows ]; then exe=trustgate.exe; fi
# The archive name scripts/package.sh gives every release asset.
archive="trustgate-$version-$target.tar.gz"

scratch=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
install_dir=${TRUSTGATE_ACTION_INSTALL_DIR:-${RUNNER_TOOL_CACHE:-$scratch}/trustgate/$version/$target}
bin="$install_dir/$exe"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{print $1}'
  else
    shasum -a 256 "$1" | awk '{print $1}'
  fi
}

# --- install ----------------------------------------------------------------------------------

if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "trustgate $version" ]; then
  echo "trustgate $version: already installed in $install_dir"
else
  base=${TRUSTGATE_ACTION_DOWNLOAD_URL:-}
  if [ -z "$base" ]; then
    repo=${TRUSTGATE_ACTION_REPOSITORY:-}
    # A composite action's own repository: .../_actions/OWNER/NAME/REF in its path.
    if [ -z "$repo" ] && [[ "${GITHUB_ACTION_PATH:-}" =~ _actions/([^/]+)/([^/]+)/ ]]; then
      repo="${BASH_REMATCH[1]}/${BASH_REMATCH[2]}"
    fi
    [ -n "$repo" ] || die "no repository to download trustgate from: set the \`repository\` input (OWNER/NAME)"
    base="${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download/v$version"
  fi
  work=$(mktemp -d "$scratch/trustgate-download.XXXXXX")
  fetch() {
    curl --fail --silent --show-error --location --retry 3 --output "$work/$1" "$base/$1" ||
      die "cannot download $base/$1"
  }
  fetch SHA256SUMS
  fetch "$archive"
  want=$(awk -v f="$archive" '$2 == f || $2 == "*" f {print $1}' "$work/SHA256SUMS")
  [ -n "$want" ] || die "$base/SHA256SUMS lists no $archive"
  got=$(sha256 "$work/$archive")
  if [ "$got" != "$want" ]; then
    die "checksum mismatch for $archive: SHA256SUMS says $want, the download is $got; not installing it"
  fi
  tar -xzf "$work/$archive" -C "$work"
  mkdir -p "$install_dir"
  cp "$work/trustgate-$version-$target/$exe" "$bin"
  chmod +x "$bin"
  rm -rf "$work"
  echo "trustgate $version: installed $archive (sha256 $got) in $install_dir"
fi
if [ -n "${GITHUB_PATH:-}" ]; then echo "$install_dir" >>"$GITHUB_PATH"; fi

# --- check ------------------------------------------------------------------------------------

# Plans and extra flags are split on whitespace (spaces or new lines); no quoting.
read -r -d '' -a plans <<<"${TRUSTGATE_ACTION_PLANS:-}" || true
read -r -d '' -a extra <<<"${TRUSTGATE_ACTION_ARGS:-}" || true
[ "${#plans[@]}" -gt 0 ] || die "the plans input is empty: name the plan JSON files or directories to check"

sarif=${TRUSTGATE_ACTION_SARIF-trustgate.sarif}
markdown=${TRUSTGATE_ACTION_MARKDOWN:-trustgate.md}
report_dir=$(mktemp -d "$scratch/trustgate-report.XXXXXX")
json="$report_dir/trustgate.json"

cmd=("$bin" check "${plans[@]}" --format "${TRUSTGATE_ACTION_FORMAT:-github}"
  --output "json=$json" --output "markdown=$markdown")
if [ -n "$sarif" ]; then cmd+=(--output "sarif=$sarif"); fi
if [ "${#extra[@]}" -gt 0 ]; then cmd+=("${extra[@]}"); fi

set +e
"${cmd[@]}"
code=$?
set -e

# --- results ----------------------------------------------------------------------------------

# A count from the report's summary: the only members with a bare number as value.
count() {
  if [ -f "$json" ]; then
    sed -n "s/^ *\"$1\": \([0-9][0-9]*\),\{0,1\}\$/\1/p" "$json" | tail -n 1
  fi
}
critical=$(count critical)
high=$(count high)
medium=$(count medium)
low=$(count low)
info=$(count info)
findings=""
if [ -n "$critical" ]; then findings=$((critical + high + medium + low + info)); fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit-code=$code"
    echo "findings=$findings"
    echo "critical=$critical"
    echo "high=$high"
    echo "medium=$medium"
    echo "low=$low"
    echo "info=$info"
    echo "suppressed=$(count suppressed)"
    echo "roles=$(count roles)"
    echo "widened=$(count widened)"
    if [ -n "$sarif" ] && [ -f "$sarif" ]; then echo "sarif=$sarif"; else echo "sarif="; fi
    if [ -f "$markdown" ]; then echo "markdown=$markdown"; else echo "markdown="; fi
  } >>"$GITHUB_OUTPUT"
fi

# trustgate itself appends the Markdown report to $GITHUB_STEP_SUMMARY when that is set and the
# github format is asked for, so the script does not add it a second time.

if [ "${TRUSTGATE_ACTION_COMMENT:-false}" = true ]; then
  if [ ! -f "$markdown" ]; then
    echo "::warning title=trustgate::no comment posted: the check wrote no Markdown report"
  elif [[ "${GITHUB_EVENT_NAME:-}" != pull_request* ]] && [ -z "${TRUSTGATE_ACTION_PULL_REQUEST:-}" ]; then
    echo "trustgate: not a pull_request event; no comment posted"
  else
    comment=("$bin" comment github --markdown "$markdown" --behavior "${TRUSTGATE_ACTION_COMMENT_BEHAVIOR:-update}")
    if [ -n "${TRUSTGATE_ACTION_PULL_REQUEST:-}" ]; then
      comment+=(--pull-request "$TRUSTGATE_ACTION_PULL_REQUEST")
    fi
    # A comment that cannot be posted (a fork's read-only token) is a warning: the gate's
    # answer stays check's, and the report is in the step summary.
    if ! result=$(GITHUB_TOKEN="${TRUSTGATE_ACTION_TOKEN:-${GITHUB_TOKEN:-}}" "${comment[@]}" 2>&1); then
      echo "::warning title=trustgate comment::${result//$'\n'/ }"
    else
      echo "$result"
    fi
  fi
fi

rm -rf "$report_dir"
exit "$code"
