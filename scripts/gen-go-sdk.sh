#!/usr/bin/env bash
# `npm run gen:go-sdk`: regenerates the Go SDK in sdk/go from the native plugin's schema (`pulumi package
# get-schema bin/pulumi-resource-kataven`) with Pulumi's Go code generator (scripts/go-sdk/). Run it after a
# schema change (provider/schema/) and commit the result, with sdk/schema.json (the schema it came from):
# test/unit/schemaFile.test.ts fails while that file is stale, test/e2e/goProgram.test.ts while sdk/go is.
# Run through scripts/toolchain.sh --go --build (npm does): pulumi, Go and its caches, and dist/ built.
#   scripts/gen-go-sdk.sh [OUT_DIR]   (default sdk/go; OUT_DIR is replaced)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-sdk/go}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pulumi package get-schema ./bin/pulumi-resource-kataven >"$tmp/schema.json"
# The generator's own go.mod and go.sum pin its modules; -mod=mod lets a newer Go adjust them without a tidy.
(cd scripts/go-sdk && GOFLAGS=-mod=mod go build -trimpath -o "$tmp/go-sdk" .)
"$tmp/go-sdk" "$tmp/schema.json" "$out"
[ -n "${1:-}" ] || node dist/scripts/writeSchema.js   # sdk/schema.json, only when writing sdk/go itself
