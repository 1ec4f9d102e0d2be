#!/usr/bin/env bash
# Second half of `npx projen package:go`, after `jsii-pacmak --target go --code-only` has
# generated the module into dist/go/logisticstrackingapi: settle its requirements, then
# build and vet it (jsii-pacmak's own build step would run `go mod tidy` on its go.mod as is).
#
# Why not as is: jsii-pacmak writes, besides the real requirements (aws-cdk-go, constructs-go,
# jsii-runtime-go), one "// indirect" line per transitive jsii dependency at the version npm
# installed, only "to make IDEs at ease" (its source says so). Those versions need not exist
# as Go modules: npm resolved @aws-cdk/cloud-assembly-schema 54.26.0, and the Go module proxy
# serves no cloud-assembly-schema-go v54.26.0, so the build failed. Dropping those lines lets
# Go resolve them from aws-cdk-go's own go.mod (the versions it was released and tested with);
# `go mod tidy` writes them back, with go.sum.
set -euo pipefail
cd "$(dirname "$0")/../dist/go/logisticstrackingapi"

indirect=$(go mod edit -json | node -e '
  const mod = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log((mod.Require ?? []).filter((r) => r.Indirect).map((r) => `-droprequire=${r.Path}`).join(" "));')
if [ -n "$indirect" ]; then
  # shellcheck disable=SC2086 # one argument per requirement
  go mod edit $indirect
fi
go mod tidy
go build ./...
go vet ./...
echo "dist/go/logisticstrackingapi: go build and go vet passed"
