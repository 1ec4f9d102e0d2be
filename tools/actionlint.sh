#!/usr/bin/env bash
# `npx projen test:workflows`: lint every workflow in .github/workflows/ with actionlint.
#
# actionlint is a Go program: it is built from the Go module proxy with `go install` at the
# version in ACTIONLINT_VERSION (set by the task, pinned in .projenrc.ts) into
# .tools/actionlint/<version>/ (gitignored), once; later runs find it there. Any finding fails.
#
# actionlint passes the `run:` scripts to shellcheck only when shellcheck is on PATH. It is
# not installed here (nor by .ci/run): the workflows' scripts are one-line task calls that
# projen generates, so the check would add an apt install to CI for little.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${ACTIONLINT_VERSION:?ACTIONLINT_VERSION is set by the test:workflows task}"
bin_dir=".tools/actionlint/$version"
actionlint="$bin_dir/actionlint"

if [ ! -x "$actionlint" ]; then
  echo "installing actionlint $version into $bin_dir (go install)"
  mkdir -p "$bin_dir"
  GOBIN="$PWD/$bin_dir" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
fi

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#workflows[@]} -eq 0 ]; then
  echo "no workflows in .github/workflows/" >&2
  exit 1
fi
"$actionlint" -no-color "${workflows[@]}"
echo "actionlint $version: ${#workflows[@]} workflows, no findings (${workflows[*]})"
