#!/usr/bin/env bash
# The GitOps jobs of .github/workflows/widget-keys.yml. The workflow's steps call this script, so CI and a
# local run execute the same commands (test/e2e/teamBackends.test.ts runs the workflow's own steps).
#
#   jobs.sh report <stack> <report.md>   PR job: `pulumi preview --json` → the allowlist report (Markdown)
#   jobs.sh policy <stack>               PR job: preview with the policy pack (../../policy)
#   jobs.sh merge  <stack>               merge job: `pulumi up`
#   jobs.sh drift  <stack>               drift job: refresh and preview; fails when Kataven differs from the stack
#
# Needs `pulumi` (with its Node.js language host) and `node` on PATH and the repository built (`npm ci`).
# Credentials come from the environment (the CI secret store): KATAVEN_API_KEY (and KATAVEN_API_URL for
# anything but the hosted API), the backend (PULUMI_BACKEND_URL, or PULUMI_ACCESS_TOKEN for Pulumi Cloud)
# and PULUMI_CONFIG_PASSPHRASE when the stack uses the passphrase secrets provider.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
job=${1:?usage: jobs.sh report|policy|merge|drift <stack> [report.md]}
stack=${2:?the stack name is missing}
flags=(--cwd "$here" --stack "$stack" --non-interactive)

case "$job" in
  report)
    out=$(realpath -m "${3:?the report file is missing}")
    preview=$(mktemp)
    trap 'rm -f "$preview"' EXIT
    code=0
    pulumi preview --json "${flags[@]}" >"$preview" || code=$?
    # Secret outputs are [secret] in preview JSON; refuse to pass on anything that still looks like a key.
    if grep -q 'sk_live_' "$preview"; then
      echo "jobs.sh: the preview JSON holds an sk_live_ value; no report written" >&2
      exit 2
    fi
    npm --prefix "$repo" run --silent allowlist-report -- --file "$preview" --output "$out"
    cat "$out"
    exit "$code"
    ;;
  policy)
    pulumi preview "${flags[@]}" --policy-pack "$repo/policy"
    ;;
  merge)
    # No --json: the engine's JSON events of an update can carry the provider's debug messages.
    pulumi up --refresh --yes "${flags[@]}"
    ;;
  drift)
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    code=0
    pulumi preview --refresh --expect-no-changes --diff "${flags[@]}" 2>&1 | tee "$log" || code=$?
    # A key revoked outside Pulumi plans no change (`up` keeps it revoked), so the refresh is what shows it: a
    # key the refresh changed (a "(refresh)" step with its id) that the provider reports as revoked. The next
    # merge job records the revocation in the state, and the drift job passes again.
    while IFS= read -r line; do
      echo "jobs.sh: drift: $line" >&2
      code=1
    done < <(awk '
      /WidgetKey: \(refresh\)/ { want = 1; next }
      want && match($0, /\[id=[^]]+\]/) { refreshed[substr($0, RSTART + 4, RLENGTH - 5)] = 1; want = 0; next }
      { want = 0 }
      /^warning: widget key "[^"]*" [^ ]+ \([^)]*\) was disabled outside Pulumi/ {
        name = $0; sub(/^warning: widget key "/, "", name); sub(/".*/, "", name)
        id = $0; sub(/^warning: widget key "[^"]*" /, "", id); sub(/ .*/, "", id)
        revoked[id] = name
      }
      END { for (id in revoked) if (id in refreshed) printf "widget key \"%s\" (%s): disabled changed to true outside Pulumi (revoked)\n", revoked[id], id }
    ' "$log" | sort)
    exit "$code"
    ;;
  *)
    echo "jobs.sh: unknown job \"$job\" (report, policy, merge or drift)" >&2
    exit 2
    ;;
esac
