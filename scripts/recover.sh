#!/usr/bin/env bash
# `npm run recover -- [--stack dev] [--delete]`: kataven-recover (bin/kataven-recover.js) in the directory npm
# was started from, with the toolchain's pulumi and offline settings (scripts/toolchain.sh --pulumi). On npm
# start's demo stack in the repository root it runs against npm start's local server (scripts/pulumi.sh says how).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/lib/demoCommand.sh"
bin="$repo/bin/kataven-recover.js"
cd "${INIT_CWD:-$PWD}"
if kataven_demo_command "$@"; then exec node "$repo/dist/scripts/withDemoServer.js" node "$bin" "$@"; fi
exec node "$bin" "$@"
