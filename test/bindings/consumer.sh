#!/usr/bin/env bash
# Runs one consumer app of the bindings test against the artifacts in dist/ (built by
# `npx projen package-all`) and writes its cloud assembly to test/bindings/.work/<lang>/cdk.out:
#
#   typescript  the npm tarball (dist/js), unpacked as node_modules/logistics-tracking-api
#               beside the app; type-checked with its own tsconfig, then run
#   python      the wheel (dist/python) in a new virtual environment, with aws-cdk-lib and
#               constructs from PyPI at the versions the TypeScript twin uses (binary wheels only)
#   java        the jar (dist/java) installed into the local Maven repository, then the Maven
#               project compiled (-Werror) and run with aws-cdk-lib from Maven Central
#   go          the module generated into dist/go (go.mod's replace directive), gofmt-checked,
#               built, vetted and run; go.mod and go.sum are committed, so after a jsii-pacmak
#               or aws-cdk-lib upgrade `go build` asks for `go mod tidy` in test/bindings/go
#
# Used by `npx projen test:bindings:<lang>`; prints how long the consumer took.
set -euo pipefail
cd "$(dirname "$0")/../.."

lang=${1:?usage: consumer.sh typescript|python|java|go}
root=$PWD
work=$root/test/bindings/.work/$lang
out=$work/cdk.out
version=$(node -p "require('./package.json').version")
cdk_version=$(node -p "require('./package.json').devDependencies['aws-cdk-lib']")
constructs_version=$(node -p "require('./package.json').devDependencies.constructs")
started=$SECONDS

rm -rf "$work"
mkdir -p "$work"

case "$lang" in
  typescript)
    tarball=$(ls dist/js/logistics-tracking-api@"$version".jsii.tgz)
    installed=test/bindings/typescript/node_modules/logistics-tracking-api
    rm -rf "$installed" && mkdir -p "$installed"
    tar -xzf "$tarball" -C "$installed" --strip-components=1
    # aws-cdk-lib and constructs (peer dependencies) resolve from the repository's
    # node_modules: the devDependency versions, the ones pinned for the other languages.
    npx tsc -p test/bindings/typescript
    CDK_OUTDIR=$out npx ts-node -P test/bindings/typescript/tsconfig.json test/bindings/typescript/app.ts
    ;;
  python)
    wheel=$(ls dist/python/logistics_tracking_api-"$version"-py3-none-any.whl)
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
      "$wheel" "aws-cdk-lib==$cdk_version" "constructs==$constructs_version"
    CDK_OUTDIR=$out "$work/venv/bin/python" test/bindings/python/app.py
    ;;
  java)
    repo=dist/java/com/example/logistics-tracking-api/$version
    # install:install-file overwrites the local repository's copy: every run uses this build.
    mvn -B -ntp -q org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file \
      -Dfile="$repo/logistics-tracking-api-$version.jar" -DpomFile="$repo/logistics-tracking-api-$version.pom"
    rm -rf test/bindings/java/target
    (cd test/bindings/java && CDK_OUTDIR=$out mvn -B -ntp -q \
      -Dlibrary.version="$version" -Dcdk.version="$cdk_version" -Dconstructs.version="$constructs_version" \
      compile exec:exec)
    ;;
  go)
    cd test/bindings/go
    unformatted=$(gofmt -l .)
    [ -z "$unformatted" ] || { echo "gofmt: format $unformatted"; exit 1; }
    go build -buildvcs=false -o "$work/consumer" .
    go vet .
    CDK_OUTDIR=$out "$work/consumer"
    # jsii-runtime-go may print "Runtime process exited abnormally: waitid: no child processes"
    # without a newline at exit (its process reaper races jsii.Close); the exit status is 0.
    echo
    ;;
  *)
    echo "unknown consumer: $lang" >&2
    exit 2
    ;;
esac

test -s "$out/BindingsConsumer.template.json"
echo "$lang consumer: synthesized $out/BindingsConsumer.template.json in $((SECONDS - started)) s"
