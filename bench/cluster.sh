#!/usr/bin/env bash
# Benchmarks wsp's cluster mode on this machine: what the extra hop costs when a request reaches a
# node that does not hold the agent. Two Payara Micro nodes with wsp.war form one cluster (the data
# grid on, over TCP on loopback); the agent dials node A only, so node B forwards every request to
# node A over HTTP (caller -> B -> A -> agent -> API). The same cells go through A and through B:
# small GETs at 1, 16 and 64 connections and a bulk download and upload (median of 3 rounds, every
# body's SHA-256 checked). Prints one markdown table (node A, node B, B / A) and writes it, with the
# machine and the exact commands, to bench/results-cluster.md (results-cluster-quick.md with --quick).
#
#   bench/cluster.sh           full run: 10 s cells, 1 GiB bodies (about 10 minutes on 2 cores)
#   bench/cluster.sh --quick   smoke run: 2 s cells, 256 MiB bodies (about 2.5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=full
OPTS=
case "${1:-}" in
  "") ;;
  --quick) MODE=quick; OPTS=" --quick" ;;
  -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "unknown option: $1 (use --quick or --help)" >&2; exit 2 ;;
esac

if [[ $MODE == full ]]; then
  CELL=10
  # Shorter than run.sh's 120 s (which keeps a whole run near 11 minutes): two nodes' compilers
  # share the 2 cores, and the warm-up through B also runs A's code (B forwards to it), so A gets
  # about WARM_A + WARM_B of load before its cells.
  WARM_A=60
  WARM_B=60
  WARM_C1=10     # at 1 connection, through each node
  WARM_BULK=2    # unrecorded transfers each way through each node before the measured ones
  BULK_ROUNDS=3
  BIG=$((1024 * 1024 * 1024))
  OUT=bench/results-cluster.md
else
  CELL=2; WARM_A=4; WARM_B=4; WARM_C1=1; WARM_BULK=1; BULK_ROUNDS=3
  BIG=$((256 * 1024 * 1024))
  OUT=bench/results-cluster-quick.md
fi

[[ ${WSP_BENCH_CONTAINER:-payara} == payara ]] || { echo "bench/cluster.sh runs on Payara Micro only" >&2; exit 2; }
# shellcheck source=bench/lib.sh
. bench/lib.sh
LOGS=bench/logs/cluster
BIG_FILE=/tmp/wsp-bench-upload-$BIG.bin   # the same file as run.sh's, made once
BULK_CHECK=sha256
mkdir -p "$LOGS"
rm -f "$LOGS"/wrk-*.txt
TMPD=$(mktemp -d /tmp/wsp-bench.XXXXXX)
pids=()
started=$SECONDS

trap stop EXIT
trap 'exit 130' INT TERM

need_command wrk
need_command jq
ensure_built
# Taken before the nodes boot: the tree may be rebuilt or committed to while the run goes on.
BUILD_INFO="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . ':!bench/results*.md' 2>/dev/null || echo ' (with uncommitted changes)'); wsp.war built $(date -u -r "$WAR" '+%Y-%m-%d %H:%M UTC'), wsp-agent.jar $(date -u -r "$AGENT_JAR" '+%H:%M UTC')"

# --- ports -------------------------------------------------------------------------------------
BUSY_BEFORE=$(cpu_busy_pct)
((BUSY_BEFORE < 10)) || echo "warning: the machine is already ${BUSY_BEFORE}% busy; figures will be low" >&2
API_PORT=$(pick_port)
A_PORT=$(pick_port "$API_PORT")
B_PORT=$(pick_port "$API_PORT" "$A_PORT")
# Hazelcast's member ports: each node binds its own --startport (the next ones if taken).
A_GRID=$(pick_port "$API_PORT" "$A_PORT" "$B_PORT")
B_GRID=$(pick_port "$API_PORT" "$A_PORT" "$B_PORT" "$A_GRID" $((A_GRID + 1)) $((A_GRID + 2)))
API=http://127.0.0.1:$API_PORT
A=http://127.0.0.1:$A_PORT
B=http://127.0.0.1:$B_PORT
SECRET=$(random_key)
CLUSTER_SECRET=$(random_key)
CLUSTER_NAME=wsp-bench-$$-$RANDOM   # no other grid on this machine joins this one
MEMBERS=127.0.0.1:$A_GRID,127.0.0.1:$B_GRID

# --- start -------------------------------------------------------------------------------------
start_api
# Both nodes boot at once (30-40 s each on 2 cores, one after the other would double it).
PAYARA_GRID="--clustername $CLUSTER_NAME --startport $A_GRID --clustermode tcpip:$MEMBERS"
start_payara . java "$A_PORT" node-a "WSP_SECRET_KEY=$SECRET" WSP_CLUSTER=true "WSP_CLUSTER_SECRET=$CLUSTER_SECRET" "WSP_CLUSTER_URL=$A/"
A_PID=$PAYARA_PID CMD_A=$PAYARA_CMD
PAYARA_GRID="--clustername $CLUSTER_NAME --startport $B_GRID --clustermode tcpip:$MEMBERS"
start_payara . java "$B_PORT" node-b "WSP_SECRET_KEY=$SECRET" WSP_CLUSTER=true "WSP_CLUSTER_SECRET=$CLUSTER_SECRET" "WSP_CLUSTER_URL=$B/"
B_PID=$PAYARA_PID CMD_B=$PAYARA_CMD
echo "starting API on $API, wsp node A on $A and node B on $B (logs in $LOGS/)..."
wait_for "$API/small" "$API_PID" "the API stand-in" "$LOGS/api.log" 60
wait_for "$A/status" "$A_PID" "wsp node A" "$LOGS/node-a.log" 180
wait_for "$B/status" "$B_PID" "wsp node B" "$LOGS/node-b.log" 180

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every 0.5 s
wait_until() {
  local secs=$1 deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" 2>/dev/null; do
    ((SECONDS < deadline)) || die "$what: not after ${secs} s; see $LOGS/node-a.log and $LOGS/node-b.log"
    sleep 0.5
  done
}
nodes_seen() { [[ $(curl -fsS --max-time 2 "$1/status" | jq '.cluster.nodes | length') == 2 ]]; }
wait_until 60 "node A sees 2 nodes" nodes_seen "$A"
wait_until 60 "node B sees 2 nodes" nodes_seen "$B"

# The agent refuses every destination unless allowed: this one may call the API stand-in only.
CMD_AGENT="WSP_SECRET_KEY=\$SECRET java -Xmx128m -jar $AGENT_JAR --server ws://127.0.0.1:$A_PORT/register --id bench --pool-idle 64 --pool-max 128 --allow '^${API//./\\.}/'"
WSP_SECRET_KEY=$SECRET java -Xmx128m -jar "$AGENT_JAR" --server "ws://127.0.0.1:$A_PORT/register" \
  --id bench --pool-idle 64 --pool-max 128 --allow "^${API//./\\.}/" >"$LOGS/agent.log" 2>&1 &
AGENT_PID=$!; pids+=("$AGENT_PID")
wait_for "$A/health/ready" "$AGENT_PID" "the agent's registration" "$LOGS/agent.log" 60
# B forwards only once A's publication of the agent reached it.
agent_seen_from_b() {
  curl -fsS --max-time 2 "$B/status" |
    jq -e '[.cluster.nodes[] | select(.self | not) | .agents[] | select(.id == "bench" and .idle > 0)] | length > 0' >/dev/null
}
wait_until 60 "node B sees the agent on node A" agent_seen_from_b

# --- where cells go (see "measuring" in bench/lib.sh) ------------------------------------------
# target a|b PATH: PATH of the API through node A (the agent's) or node B (forwarding to A); the
# CPU and memory of both nodes and the agent are reported for either.
PROCS_ALL="a:$A_PID b:$B_PID agent:$AGENT_PID"
target() {
  PROCS=$PROCS_ALL
  case $1 in
    a) TARGET=(-H "X-PROXY-DESTINATION: $API$2" "$A/request") ;;
    b) TARGET=(-H "X-PROXY-DESTINATION: $API$2" "$B/request") ;;
    *) die "target: no path $1" ;;
  esac
}
# forwarded: "requests B forwarded to A / of which failed", from B's /status
forwarded() { curl -fsS --max-time 5 "$B/status" | jq -r '[.cluster.nodes[] | select(.self | not)][0] | "\(.forwarded) \(.forwardErrors)"'; }

# --- measure -----------------------------------------------------------------------------------
ensure_big_file
echo "SHA-256 of the upload body and of the API's $BIG-byte download..."
BIG_FILE_SHA=$(sha256sum "$BIG_FILE") BIG_FILE_SHA=${BIG_FILE_SHA%% *}
BIG_DOWN_SHA=$(curl -fsS --max-time 300 "$API/bytes?size=$BIG" | sha256sum) BIG_DOWN_SHA=${BIG_DOWN_SHA%% *}

echo "warming up at 64 connections (${WARM_A}s through A, ${WARM_B}s through B), then ${WARM_C1}s at 1 connection each..."
warm_up warm-a a "$WARM_A"
warm_up warm-b b "$WARM_B"
run_wrk warm-a-c1 1 "$WARM_C1" a /small norecord
run_wrk warm-b-c1 1 "$WARM_C1" b /small norecord

echo "small GET (${CELL}s per cell)..."
read -r FWD0 FWD_ERR0 <<<"$(forwarded)"
for c in 1 16 64; do
  run_wrk "small-c$c-a" "$c" "$CELL" a /small
  run_wrk "small-c$c-b" "$c" "$CELL" b /small
done
read -r FWD1 FWD_ERR1 <<<"$(forwarded)"

echo "$((BIG / 1024 / 1024)) MiB transfers (after $WARM_BULK unrecorded each way through each node)..."
for via in a b; do
  for ((i = 1; i <= WARM_BULK; i++)); do
    transfer "warm-down-$via" down "$via" norecord >/dev/null
    transfer "warm-up-$via" up "$via" norecord >/dev/null
  done
done
# In rounds that take both nodes in turn, reported per node as the median round (as run.sh).
for ((round = 1; round <= BULK_ROUNDS; round++)); do
  for via in a b; do
    transfer "down-$via-$round" down "$via" "$( ((round == 1)) && echo record || echo norecord)"
    transfer "up-$via-$round" up "$via" "$( ((round == 1)) && echo record || echo norecord)"
  done
done
for via in a b; do
  median_round "down-$via"
  median_round "up-$via"
done
read -r FWD2 FWD_ERR2 <<<"$(forwarded)"

# --- report ------------------------------------------------------------------------------------
BUSY_AFTER=$(cpu_busy_pct)
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "—"; else printf "%.2f", a / b }'; }
rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 |"); }
cpus() { echo "${R[$1.a_cpu]} / ${R[$1.b_cpu]} / ${R[$1.agent_cpu]}"; }
cpu_total() { awk -v a="${R[$1.a_cpu]}" -v b="${R[$1.b_cpu]}" -v c="${R[$1.agent_cpu]}" 'BEGIN { print a + b + c }'; }
for c in 1 16 64; do
  a=small-c$c-a b=small-c$c-b label="small GET (100 B), $c conn"
  row "$label" "requests/s" "${R[$a.rps]}" "${R[$b.rps]}" "$(ratio "${R[$b.rps]}" "${R[$a.rps]}")"
  row "$label" "p50 latency (ms)" "$(ms "${R[$a.p50_us]}")" "$(ms "${R[$b.p50_us]}")" "$(ratio "${R[$b.p50_us]}" "${R[$a.p50_us]}")"
  row "$label" "p99 latency (ms)" "$(ms "${R[$a.p99_us]}")" "$(ms "${R[$b.p99_us]}")" "$(ratio "${R[$b.p99_us]}" "${R[$a.p99_us]}")"
  row "$label" "errors: socket / HTTP ≥400" "${R[$a.socket_errors]} / ${R[$a.status_errors]}" \
    "${R[$b.socket_errors]} / ${R[$b.status_errors]}" "—"
  row "$label" "CPU s per 10k requests: node A / node B / agent (ratio of the sums)" "$(cpus "$a")" "$(cpus "$b")" \
    "$(ratio "$(cpu_total "$b")" "$(cpu_total "$a")")"
done
SIZE_LABEL="$((BIG / 1024 / 1024)) MiB"
((BIG % (1024 * 1024 * 1024) == 0)) && SIZE_LABEL="$((BIG / 1024 / 1024 / 1024)) GiB"
for d in down up; do
  label="$SIZE_LABEL download, 1 conn"; [[ $d == up ]] && label="$SIZE_LABEL upload, 1 conn"
  a=$d-a b=$d-b
  row "$label" "MB/s, median of $BULK_ROUNDS rounds" "${R[$a.mbps]}" "${R[$b.mbps]}" "$(ratio "${R[$b.mbps]}" "${R[$a.mbps]}")"
  row "$label" "MB/s of each round" "${R[$a.rounds]}" "${R[$b.rounds]}" "—"
  row "$label" "CPU s per GiB, mean of the rounds: node A / node B / agent (ratio of the sums)" "$(cpus "$a")" "$(cpus "$b")" \
    "$(ratio "$(cpu_total "$b")" "$(cpu_total "$a")")"
  row "$label" "RSS before → highest peak of the rounds (MB): node A" "${R[$a.a_rss0]} → ${R[$a.a_rss]}" "${R[$b.a_rss0]} → ${R[$b.a_rss]}" "—"
  row "$label" "RSS before → highest peak of the rounds (MB): node B" "${R[$a.b_rss0]} → ${R[$a.b_rss]}" "${R[$b.b_rss0]} → ${R[$b.b_rss]}" "—"
done

TABLE=$(printf '%s\n' "| Test | Metric | Node A (holds the agent) | Node B (forwards to A) | B / A |" "|---|---|---:|---:|---:|" "${rows[@]}")
FORWARDS="node B's /status: $((FWD1 - FWD0)) requests forwarded to A during the small-GET cells ($((FWD_ERR1 - FWD_ERR0)) failed), $((FWD2 - FWD1)) during the transfers ($((FWD_ERR2 - FWD_ERR1)) failed)"
RUNTIME=$((SECONDS - started))
echo
echo "$TABLE"
echo
echo "$FORWARDS"
echo "runtime ${RUNTIME}s"

{
  echo "# wsp cluster benchmark results ($MODE run)"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/^MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
  echo "- Java: $(java -version 2>&1 | head -1); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); $(curl --version | head -1 | cut -d' ' -f1-2)"
  echo "- wsp (at start): $BUILD_INFO; $(server_version "$LOGS/node-a.log")"
  echo "- Runtime of bench/cluster.sh$OPTS: ${RUNTIME}s; ${CELL}s per wrk cell after warm-up at 64 connections: ${WARM_A}s through A (req/s per 10 s: ${R[warm-a.curve]}), then ${WARM_B}s through B (${R[warm-b.curve]}), then ${WARM_C1}s at 1 connection through each; $WARM_BULK unrecorded transfers each way through each node before the $BULK_ROUNDS rounds"
  echo "- CPU busy (all cores) with nothing measured running: ${BUSY_BEFORE}% before start, ${BUSY_AFTER}% after the cells (our idle JVMs included); more than ~10% means another load shared the machine"
  echo "- Forwarding seen by $FORWARDS"
  echo
  echo "Everything ran on this one machine over loopback: wrk/curl, both Payara Micro nodes, the agent and the API share its CPUs."
  echo "The agent is connected to node A only: through node B every request takes one more hop (caller -> B -> A -> agent -> API)."
  echo "MB = 10^6 bytes. B / A below 1 means B is slower for req/s and MB/s; above 1 means B is slower for latency and costs more CPU."
  echo "Every transfer's body is checked: its byte count and SHA-256 (downloads against the API's body fetched directly, uploads by the API's /sha256)."
  echo
  echo "$TABLE"
  echo
  for f in node-a node-b agent; do
    n=$(grep -c 'OutOfMemoryError' "$LOGS/$f.log" || true)
    ((n == 0)) || echo "**Warning: $LOGS/$f.log has $n OutOfMemoryError lines; the figures above are not valid.**"
  done
  echo
  echo "## Commands"
  echo
  echo '```sh'
  echo "$CMD_API"
  echo "$CMD_A"
  echo "$CMD_B"
  echo "$CMD_AGENT"
  printf '%s\n' "${CMDS[@]}"
  echo '```'
  echo
  echo "Node settings are environment variables (the same as the wsp.* system properties): WSP_CLUSTER=true, WSP_CLUSTER_SECRET"
  echo "(the same on both), WSP_CLUSTER_URL (each node's own http://127.0.0.1:PORT/)."
  echo "CPU is utime+stime from /proc/PID/stat of both nodes and the agent, before and after each cell;"
  echo "peak RSS is the highest VmRSS sampled every 0.5 s during the transfer."
} >"$OUT"
echo "written to $OUT"
