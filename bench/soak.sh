#!/usr/bin/env bash
# Soaks wsp: a mixed load (small GETs, 1 MiB POSTs, slow responses) through the tunnel for a given
# time while the agent is killed with SIGKILL and started again every minute. Starts the internal
# API stand-in and Payara Micro with wsp.war on 127.0.0.1 and free high ports; bench/Soak.java
# sends the load, owns the agent and checks every answer. Prints one markdown table and writes it,
# with the machine and the exact commands, to bench/soak-results.md.
#
#   bench/soak.sh                   10 minutes (plus 20 s of warm-up and about a minute to start)
#   bench/soak.sh --duration 2m     a duration in minutes (2m) or seconds (90 or 90s)
#
# Exit status: 0 clean run, 3 run completed with corrupt responses or failures outside down
# windows (the results are written either way), 1 could not run, 2 bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
DURATION_ARG=10m
while (($#)); do
  case "$1" in
    --duration) (($# >= 2)) || { usage >&2; exit 2; }; DURATION_ARG=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ $DURATION_ARG =~ ^([0-9]{1,6})(m|s)?$ ]] || { echo "bad duration: $DURATION_ARG (use 10m, 90s or 90)" >&2; exit 2; }
DURATION=$((10#${BASH_REMATCH[1]}))
[[ ${BASH_REMATCH[2]} == m ]] && DURATION=$((DURATION * 60))
((DURATION > 0)) || { echo "bad duration: $DURATION_ARG" >&2; exit 2; }
# Payara's and the agent's compilers keep working for tens of seconds on 2 cores (see run.sh):
# memory "at start" is taken after this, on warm JVMs.
WARMUP=20

# shellcheck source=bench/lib.sh
. bench/lib.sh
[[ $CONTAINER == payara ]] || die "runs on Payara Micro only (WSP_BENCH_CONTAINER=wildfly is for bench/run.sh)"
LOGS=bench/logs/soak
OUT=bench/soak-results.md
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log
TMPD=$(mktemp -d /tmp/wsp-soak.XXXXXX)
AGENT_PID_FILE=$TMPD/agent.pid
pids=()
started=$SECONDS

# Stops what this script started, newest first: Soak first (its shutdown hook kills the agent it
# owns), then the server, then the API; waits a bounded time before forcing each.
stop() {
  trap - INT TERM EXIT
  local pid i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "${pids[i]}" 2>/dev/null || break; sleep 0.5; done
    kill -9 "${pids[i]}" 2>/dev/null || true
  done
  # Soak.java cannot run its hook when it was killed with SIGKILL: end its agent here, but only if
  # that PID is still our agent (its command line names this run's server port).
  if [[ -f $AGENT_PID_FILE ]]; then
    pid=$(cat "$AGENT_PID_FILE")
    if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "wsp-agent.jar .*127.0.0.1:${SERVER_PORT:-none}/register"; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  wait 2>/dev/null || true
  rm -rf "$TMPD"
}
trap stop EXIT
trap 'exit 130' INT TERM

# --- build -------------------------------------------------------------------------------------
ensure_built
command -v jcmd >/dev/null || die "jcmd not found: Soak.java measures heap with it (it comes with the JDK)"

# --- ports -------------------------------------------------------------------------------------
BUSY_BEFORE=$(cpu_busy_pct)
((BUSY_BEFORE < 10)) || echo "warning: the machine is already ${BUSY_BEFORE}% busy" >&2
API_PORT=$(pick_port)
SERVER_PORT=$(pick_port "$API_PORT")
API=http://127.0.0.1:$API_PORT
SERVER=http://127.0.0.1:$SERVER_PORT
# Fresh keys per run: the soak runs with both checks on, as production does.
SECRET=$(random_key)
CALLER_KEY=$(random_key)

# --- start -------------------------------------------------------------------------------------
start_api
start_server "WSP_SECRET_KEY=$SECRET" "WSP_CALLER_KEYS=$CALLER_KEY"
echo "starting API on $API, wsp server on $SERVER (logs in $LOGS/)..."
wait_for "$API/small" "$API_PID" "the API stand-in" "$LOGS/api.log" 60
wait_for "$SERVER/status" "$SERVER_PID" "the wsp server" "$LOGS/server.log" 120

# --- soak --------------------------------------------------------------------------------------
CMD_SOAK="WSP_SECRET_KEY=\$SECRET SOAK_CALLER_KEY=\$CALLER_KEY java -Xmx512m bench/Soak.java --server $SERVER --api $API --server-pid <server PID> --agent-jar $AGENT_JAR --agent-id soak --duration $DURATION --warmup $WARMUP --logs $LOGS --report <file> --agent-pid-file <file>"
# In the background and waited for, so that a signal to this script runs its trap at once.
WSP_SECRET_KEY=$SECRET SOAK_CALLER_KEY=$CALLER_KEY java -Xmx512m bench/Soak.java --server "$SERVER" --api "$API" \
  --server-pid "$SERVER_PID" --agent-jar "$AGENT_JAR" --agent-id soak --duration "$DURATION" --warmup "$WARMUP" \
  --logs "$LOGS" --report "$TMPD/report.md" --agent-pid-file "$AGENT_PID_FILE" &
SOAK_PID=$!; pids+=("$SOAK_PID")
rc=0
wait "$SOAK_PID" || rc=$?
((rc == 0 || rc == 3)) || die "Soak.java failed (exit $rc); see the output above and $LOGS/"

# --- report ------------------------------------------------------------------------------------
RUNTIME=$((SECONDS - started))
{
  echo "# wsp soak results"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC') (end of the run)"
  echo "- Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/^MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
  echo "- Java: $(java -version 2>&1 | head -1)"
  # The jars are reused when present, so the commit alone may not be what ran: give their age too.
  echo "- wsp: commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . ':!bench/soak-results.md' 2>/dev/null || echo ' (with uncommitted changes)'); wsp.war built $(date -u -r "$WAR" '+%Y-%m-%d %H:%M UTC'), wsp-agent.jar $(date -u -r "$AGENT_JAR" '+%H:%M UTC')"
  echo "- Command: \`bench/soak.sh --duration $DURATION_ARG\`; runtime ${RUNTIME}s in all"
  echo "- CPU busy (all cores) before start: ${BUSY_BEFORE}%; more than ~10% means another load shared the machine"
  echo
  echo "Everything ran on this one machine over loopback: the load, Payara Micro, the agent and the API share its CPUs."
  echo
  cat "$TMPD/report.md"
  echo
  for f in server agent; do
    n=$(grep -c 'OutOfMemoryError' "$LOGS/$f.log" || true)
    ((n == 0)) || echo "**Warning: $LOGS/$f.log has $n OutOfMemoryError lines.**"
  done
  echo "## Commands"
  echo
  echo '```sh'
  echo "$CMD_API"
  echo "$CMD_SERVER"
  echo "$CMD_SOAK"
  echo '```'
  echo
  echo "Every failure is listed, one line each with its request id (also in the server's access log), in $LOGS/failures.log."
} >"$OUT"
echo "written to $OUT"
exit "$rc"
