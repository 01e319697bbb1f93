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
    pulumi preview --refresh --expect-no-changes --diff "${flags[@]}"
    ;;
  *)
    echo "jobs.sh: unknown job \"$job\" (report, policy, merge or drift)" >&2
    exit 2
    ;;
esac
