# Sourced by scripts/pulumi.sh and scripts/recover.sh. kataven_demo_command ARGS… is true when ARGS, run in
# the current directory, act on npm start's demo stack and need its local server: the directory is the
# repository root (no -C/--cwd), the stack is the demo stack (--stack dev), no KATAVEN_API_URL/KATAVEN_API_KEY
# of yours is set, and npm start has left its server data. With --needs-command, ARGS must also hold a
# command that reaches the provider (preview, up, refresh, destroy, …).
kataven_demo_command() {
  local repo needs_command=0 stack="" command="" prev=""
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  if [ "${1:-}" = --needs-command ]; then needs_command=1; shift; fi
  [ "$PWD" = "$repo" ] && [ -z "${KATAVEN_API_KEY:-}" ] && [ -z "${KATAVEN_API_URL:-}" ] || return 1
  [ -d "${KATAVEN_LOCAL_DATA:-$repo/.kataven-local/data}" ] && [ -f "$repo/dist/scripts/withDemoServer.js" ] || return 1
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
  [ "$stack" = "${KATAVEN_DEMO_STACK:-dev}" ] && { [ "$needs_command" = 0 ] || [ -n "$command" ]; }
}
