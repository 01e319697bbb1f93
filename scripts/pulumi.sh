#!/usr/bin/env bash
# `npm run pulumi -- <args>`: the toolchain's plain Pulumi CLI (with the genuine Node.js language host beside
# it) and the project's offline settings, run in the directory you called npm from. Every flag reaches the
# CLI as you typed it. Run through scripts/toolchain.sh --pulumi (npm run pulumi does that).
#
# One addition: in the repository root, a command that reaches the provider on npm start's demo stack
# (`--stack dev`) runs through scripts/demoPulumi.ts, which serves npm start's local server data for the
# length of the command and hands the CLI an API key in its environment (npm start stops its server).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# npm runs scripts in the package root and records where it was called from in INIT_CWD, so
# `cd examples/quickstart && npm run pulumi -- up` acts on examples/quickstart.
cd "${INIT_CWD:-$PWD}"

# True when the arguments are a provider-reaching command on the demo stack of the program in this directory.
demo_command() {
  local stack="" command="" prev=""
  for a in "$@"; do
    case "$a" in
      -C | --cwd | -C=* | --cwd=*) return 1 ;;
      --stack=*) stack=${a#--stack=} ;;
      -s=*) stack=${a#-s=} ;;
      preview | up | update | refresh | destroy | import | watch) [ -n "$command" ] || command=$a ;;
    esac
    case "$prev" in --stack | -s) stack=$a ;; esac
    prev=$a
  done
  [ -n "$command" ] && [ "$stack" = "${KATAVEN_DEMO_STACK:-dev}" ]
}

if [ "$PWD" = "$repo" ] && [ -z "${KATAVEN_API_KEY:-}" ] && [ -z "${KATAVEN_API_URL:-}" ] &&
  [ -d "${KATAVEN_LOCAL_DATA:-$repo/.kataven-local/data}" ] && [ -f "$repo/dist/scripts/demoPulumi.js" ] && demo_command "$@"; then
  exec node "$repo/dist/scripts/demoPulumi.js" "$@"
fi
exec pulumi "$@"
