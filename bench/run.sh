#!/usr/bin/env bash
# Benchmarks wsp on this machine: the same requests through the tunnel (caller -> wsp server ->
# agent -> API) and straight to the API, so every figure comes with its no-wsp baseline.
# Starts its own internal API stand-in, Payara Micro with wsp.war and an agent, all on 127.0.0.1
# with free high ports, and stops them on exit. Prints one markdown table and writes it, with the
# machine and the exact commands, to bench/results.md (bench/results-quick.md with --quick).
#
#   bench/run.sh           full run: 10 s cells, 1 GiB bodies (about 7 minutes on 2 cores)
#   bench/run.sh --quick   smoke run: 2 s cells, 256 MiB bodies
#
# With WSP_BENCH_GO_SERVER and WSP_BENCH_GO_CLIENT set to the wsp_server and wsp_client binaries of
# the Go wsp (root-gg/wsp, built by you), its small-GET cells are measured in the same run too.
# With WSP_BENCH_BASELINE set to another wsp checkout whose jars are built (an older commit, say),
# its tunnel's small-GET cells are measured after ours, once ours is stopped; its Payara Micro and
# agent run on WSP_BENCH_BASELINE_JAVA (a JDK home or a java binary; default: our java).
# With WSP_BENCH_CONTAINER=wildfly our server is wsp.war in WildFly (the one wsp-it unpacks and
# configures with wildfly-config/wsp.cli) instead of Payara Micro, with the same heap; results go
# to bench/results-wildfly.md (results-wildfly-quick.md).
# Cluster mode (a request forwarded from one node to the agent's, against the same on the agent's
# own node, in one run) is measured by bench/cluster.sh, which this runs when given --cluster:
#
#   bench/run.sh --cluster [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ ${1:-} == --cluster ]] && { shift; exec bench/cluster.sh "$@"; }

MODE=full
OPTS=
case "${1:-}" in
  "") ;;
  --quick) MODE=quick; OPTS=" --quick" ;;
  -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "unknown option: $1 (use --quick, --cluster or --help)" >&2; exit 2 ;;
esac

if [[ $MODE == full ]]; then
  CELL=10        # seconds per measured wrk cell: long enough for p99 to settle at 1 connection
  # Warm-up at 64 connections, in 10 s windows whose req/s the results list. Payara's and the
  # agent's C2 compilers share the 2 cores with the load: in 5 s windows the tunnel went 1.1k,
  # 2.5k ... 6.6k (50 s), 8.5k (75 s), then 8.1-9.4k up to 150 s, and p99/p50 fell from 3.5 to
  # 2.4-2.8; a stop-when-flat rule fooled by a slow window stopped at 70 s. 30 s measured the
  # compilers, not wsp. Direct (27k req/s in its first 5 s, then 41-46k) and the Go wsp settle
  # within seconds; WARM_DIRECT is also the 1-connection and 64 KiB warm-up of the tunnel.
  WARM_TUNNEL=120
  WARM_DIRECT=15
  WARM_CELL=10   # before each small-GET cell of a tunnel, at its concurrency (see warm_cell)
  # Bulk transfers before the measured ones, each way and on each path: the tunnel's MB/s rose
  # for the first 4-5 GiB each way (417 -> 800-900 MB/s down), then stayed.
  WARM_BULK=4
  BULK_ROUNDS=3
  BIG=$((1024 * 1024 * 1024))
  OUT=bench/results.md
else
  CELL=2; WARM_TUNNEL=2; WARM_DIRECT=1; WARM_CELL=1; WARM_BULK=1; BULK_ROUNDS=3
  BIG=$((256 * 1024 * 1024))
  OUT=bench/results-quick.md
fi

[[ ${WSP_BENCH_CONTAINER:-payara} == wildfly ]] && WILDFLY_NEEDED=1
# shellcheck source=bench/lib.sh
. bench/lib.sh
if [[ $CONTAINER != payara ]]; then
  OUT=bench/results-$CONTAINER.md
  [[ $MODE == quick ]] && OUT=bench/results-$CONTAINER-quick.md
fi
LOGS=bench/logs
# Made once and reused across runs: writing 1 GiB of random bytes costs seconds on every run.
BIG_FILE=/tmp/wsp-bench-upload-$BIG.bin
mkdir -p "$LOGS"
TMPD=$(mktemp -d /tmp/wsp-bench.XXXXXX)
pids=()
started=$SECONDS

trap stop EXIT

# stop_pids PID...: stops these in the order given, as stop does, and forgets them
stop_pids() {
  local pid keep=()
  for pid; do kill "$pid" 2>/dev/null || true; done
  for pid; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do [[ " $* " == *" $pid "* ]] || keep+=("$pid"); done
  pids=("${keep[@]}")
}
trap 'exit 130' INT TERM

# --- tools and build ---------------------------------------------------------------------------
need_command wrk
need_command socat
ensure_built

# --- ports -------------------------------------------------------------------------------------
BUSY_BEFORE=$(cpu_busy_pct)
((BUSY_BEFORE < 10)) || echo "warning: the machine is already ${BUSY_BEFORE}% busy; figures will be low" >&2
API_PORT=$(pick_port)
SERVER_PORT=$(pick_port "$API_PORT")
RELAY_PORT=$(pick_port "$SERVER_PORT")
RELAY_PORT2=$(pick_port "$RELAY_PORT")
API=http://127.0.0.1:$API_PORT
SERVER=http://127.0.0.1:$SERVER_PORT$CONTEXT
RELAY=http://127.0.0.1:$RELAY_PORT
GO_SERVER_BIN=${WSP_BENCH_GO_SERVER:-}
GO_CLIENT_BIN=${WSP_BENCH_GO_CLIENT:-}
if [[ -n $GO_SERVER_BIN || -n $GO_CLIENT_BIN ]]; then
  [[ -x $GO_SERVER_BIN && -x $GO_CLIENT_BIN ]] || die "WSP_BENCH_GO_SERVER and WSP_BENCH_GO_CLIENT must both be executables"
  GO_PORT=$(pick_port "$SERVER_PORT")
  GO=http://127.0.0.1:$GO_PORT
fi
BASE_DIR=${WSP_BENCH_BASELINE:-}
if [[ -n $BASE_DIR ]]; then
  BASE_DIR=$(cd "$BASE_DIR" 2>/dev/null && pwd) || die "WSP_BENCH_BASELINE: no directory $WSP_BENCH_BASELINE"
  for f in "$SERVER_JAR" "$WAR" "$AGENT_JAR" payara-config/pre-boot-commands.asadmin; do
    [[ -f $BASE_DIR/$f ]] || die "WSP_BENCH_BASELINE: no $BASE_DIR/$f (build it there: mvn -B -q package -DskipTests)"
  done
  BASE_JAVA=${WSP_BENCH_BASELINE_JAVA:-java}
  [[ -d $BASE_JAVA ]] && BASE_JAVA=$BASE_JAVA/bin/java
  "$BASE_JAVA" -version >/dev/null 2>&1 || die "WSP_BENCH_BASELINE_JAVA: $BASE_JAVA does not run"
  BASE_COMMIT=$(git -C "$BASE_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
  git -C "$BASE_DIR" diff --quiet HEAD -- . ':!bench/results*.md' 2>/dev/null || BASE_COMMIT+=" (with uncommitted changes)"
fi
# A fresh secret per run: the benchmark must run with the check on, as production does.
SECRET=$(random_key)

# --- start -------------------------------------------------------------------------------------
start_api
start_server "WSP_SECRET_KEY=$SECRET"
echo "starting API on $API, wsp server on $SERVER (logs in $LOGS/)..."
wait_for "$API/small" "$API_PID" "the API stand-in" "$LOGS/api.log" 60
wait_for "$SERVER/status" "$SERVER_PID" "the wsp server" "$LOGS/server.log" 120

# The agent refuses every destination unless allowed: this one may call the API stand-in only.
CMD_AGENT="WSP_SECRET_KEY=\$SECRET java -Xmx128m -jar $AGENT_JAR --server ws://127.0.0.1:$SERVER_PORT$CONTEXT/register --id bench --pool-idle 64 --pool-max 128 --allow '^${API//./\\.}/'"
WSP_SECRET_KEY=$SECRET java -Xmx128m -jar "$AGENT_JAR" --server "ws://127.0.0.1:$SERVER_PORT$CONTEXT/register" \
  --id bench --pool-idle 64 --pool-max 128 --allow "^${API//./\\.}/" >"$LOGS/agent.log" 2>&1 &
AGENT_PID=$!; pids+=("$AGENT_PID")
wait_for "$SERVER/health/ready" "$AGENT_PID" "the agent's registration" "$LOGS/agent.log" 60

if [[ -n ${GO:-} ]]; then
  # The same pool sizes as our agent; the Go agent's empty whitelist allows every destination.
  printf 'host: 127.0.0.1\nport: %s\ntimeout: 1000\nidletimeout: 60000\nsecretkey: %s\n' "$GO_PORT" "$SECRET" >"$TMPD/go-server.cfg"
  printf 'id: bench-go\ntargets:\n  - ws://127.0.0.1:%s/register\npoolidlesize: 64\npoolmaxsize: 128\nsecretkey: %s\n' \
    "$GO_PORT" "$SECRET" >"$TMPD/go-client.cfg"
  "$GO_SERVER_BIN" -config "$TMPD/go-server.cfg" >"$LOGS/go-server.log" 2>&1 &
  GO_SERVER_PID=$!; pids+=("$GO_SERVER_PID")
  sleep 1
  "$GO_CLIENT_BIN" -config "$TMPD/go-client.cfg" >"$LOGS/go-client.log" 2>&1 &
  GO_CLIENT_PID=$!; pids+=("$GO_CLIENT_PID")
  # The Go server has no readiness endpoint: wait until a request goes through.
  go_deadline=$((SECONDS + 30))
  until curl -fsS -o /dev/null --max-time 2 -H "X-PROXY-DESTINATION: $API/small" "$GO/request" 2>/dev/null; do
    ((SECONDS < go_deadline)) || die "the Go wsp is not serving after 30 s; see $LOGS/go-server.log and $LOGS/go-client.log"
    sleep 0.5
  done
fi

# What any design with two relays between caller and API can reach here: two socat processes,
# caller -> socat -> socat -> API, copying bytes with nothing else to do (the tunnel's two hops).
CMD_RELAY="socat -b 65536 TCP-LISTEN:$RELAY_PORT,bind=127.0.0.1,reuseaddr,fork TCP:127.0.0.1:$RELAY_PORT2 & socat -b 65536 TCP-LISTEN:$RELAY_PORT2,bind=127.0.0.1,reuseaddr,fork TCP:127.0.0.1:$API_PORT"
socat -b 65536 "TCP-LISTEN:$RELAY_PORT,bind=127.0.0.1,reuseaddr,fork" "TCP:127.0.0.1:$RELAY_PORT2" >"$LOGS/socat.log" 2>&1 &
pids+=("$!")
socat -b 65536 "TCP-LISTEN:$RELAY_PORT2,bind=127.0.0.1,reuseaddr,fork" "TCP:127.0.0.1:$API_PORT" >>"$LOGS/socat.log" 2>&1 &
pids+=("$!")
wait_for "$RELAY/small" "$!" "the socat relays" "$LOGS/socat.log" 10

# --- where cells go (see "measuring" in bench/lib.sh) ---------------------------------------------
# target VIA PATH: tunnel, go and baseline send PATH of the API through a wsp; relay through the two
# socat relays; direct straight to the API. CPU and memory are those of that wsp's server and agent
# (our tunnel's for direct and relay).
target() {
  local via=$1 path=$2
  PROCS="server:${SERVER_PID:-} agent:${AGENT_PID:-}"
  case $via in
    tunnel) TARGET=(-H "X-PROXY-DESTINATION: $API$path" "$SERVER/request") ;;
    go) TARGET=(-H "X-PROXY-DESTINATION: $API$path" "$GO/request"); PROCS="server:$GO_SERVER_PID agent:$GO_CLIENT_PID" ;;
    baseline) TARGET=(-H "X-PROXY-DESTINATION: $API$path" "$BASE/request"); PROCS="server:$BASE_SERVER_PID agent:$BASE_AGENT_PID" ;;
    relay) TARGET=("$RELAY$path") ;;
    *) TARGET=("$API$path") ;;
  esac
}

# warm_cell CONNS VIA: unrecorded small GETs at the next cell's concurrency, right before it. The
# cells before the 64-connection one run minutes at 1 and 16 connections: by then the JVMs had
# recompiled for those (the 64-connection cell then spent 0.6 s of server CPU per 10,000
# requests in C2), and the servers had closed the idle connections a lower load left over, which
# the agents dialled again during the cell (41 here). That measured the change of load, not the
# load (4.5k requests/s in that cell, 5.6k in the next 10 s); the Go wsp's and the baseline's
# cells get the same.
warm_cell() {
  run_wrk "warm-small-c$1-$2" "$1" "$WARM_CELL" "$2" /small norecord >/dev/null
}

# --- measure -----------------------------------------------------------------------------------
ensure_big_file

echo "warming up at 64 connections (${WARM_TUNNEL}s tunnel, ${WARM_DIRECT}s direct)..."
warm_up warm-tunnel tunnel "$WARM_TUNNEL"
run_wrk warm-tunnel-c1 1 "$WARM_DIRECT" tunnel /small norecord
run_wrk warm-tunnel-64k 16 "$WARM_DIRECT" tunnel "/bytes?size=65536" norecord
warm_up warm-direct direct "$WARM_DIRECT"
if [[ -n ${GO:-} ]]; then warm_up warm-go go "$WARM_DIRECT"; fi

echo "small GET (${CELL}s per cell)..."
for c in 1 16 64; do
  warm_cell "$c" tunnel
  run_wrk "small-c$c-tunnel" "$c" "$CELL" tunnel /small
  run_wrk "small-c$c-direct" "$c" "$CELL" direct /small
  if [[ -n ${GO:-} ]]; then warm_cell "$c" go; run_wrk "small-c$c-go" "$c" "$CELL" go /small; fi
done
echo "64 KiB GET, 16 connections..."
run_wrk 64k-tunnel 16 "$CELL" tunnel "/bytes?size=65536"
run_wrk 64k-direct 16 "$CELL" direct "/bytes?size=65536"

echo "$((BIG / 1024 / 1024)) MiB transfers (after $WARM_BULK unrecorded each way on each path)..."
for via in tunnel direct relay; do
  for ((i = 1; i <= WARM_BULK; i++)); do
    transfer "warm-down-$via" down "$via" norecord >/dev/null
    transfer "warm-up-$via" up "$via" norecord >/dev/null
  done
done
# Measured in rounds that take every path in turn, and reported per path as the median round:
# one direct download alone ran anywhere between 1.4 and 3.7 GB/s from one run to the next.
for ((round = 1; round <= BULK_ROUNDS; round++)); do
  for via in tunnel direct relay; do
    transfer "down-$via-$round" down "$via" "$( ((round == 1)) && echo record || echo norecord)"
    transfer "up-$via-$round" up "$via" "$( ((round == 1)) && echo record || echo norecord)"
  done
done
for via in tunnel direct relay; do
  median_round "down-$via"
  median_round "up-$via"
done

# --- baseline: another wsp build's tunnel, alone -------------------------------------------------
# Measured after ours, with ours and the Go wsp stopped, so that only one tunnel's JVMs share the
# cores; warmed up as ours was (the JIT needs the same 2 minutes), then the same small-GET cells.
if [[ -n $BASE_DIR ]]; then
  stop_pids "$AGENT_PID" "$SERVER_PID" ${GO_CLIENT_PID:-} ${GO_SERVER_PID:-}
  SERVER_PID= AGENT_PID=
  # Picked only now: a port picked minutes before can be taken meanwhile.
  BASE_PORT=$(pick_port "$API_PORT" "$SERVER_PORT" "$RELAY_PORT" "$RELAY_PORT2" "${GO_PORT:-}")
  BASE=http://127.0.0.1:$BASE_PORT
  start_payara "$BASE_DIR" "$BASE_JAVA" "$BASE_PORT" baseline-server "WSP_SECRET_KEY=$SECRET"
  BASE_SERVER_PID=$PAYARA_PID CMD_BASE_SERVER=$PAYARA_CMD
  echo "baseline: wsp $BASE_COMMIT of $BASE_DIR on $BASE (logs in $LOGS/baseline-*.log)..."
  wait_for "$BASE/status" "$BASE_SERVER_PID" "the baseline wsp server" "$LOGS/baseline-server.log" 120
  CMD_BASE_AGENT="WSP_SECRET_KEY=\$SECRET $BASE_JAVA -Xmx128m -jar $BASE_DIR/$AGENT_JAR --server ws://127.0.0.1:$BASE_PORT/register --id bench --pool-idle 64 --pool-max 128 --allow '^${API//./\\.}/'"
  WSP_SECRET_KEY=$SECRET "$BASE_JAVA" -Xmx128m -jar "$BASE_DIR/$AGENT_JAR" --server "ws://127.0.0.1:$BASE_PORT/register" \
    --id bench --pool-idle 64 --pool-max 128 --allow "^${API//./\\.}/" >"$LOGS/baseline-agent.log" 2>&1 &
  BASE_AGENT_PID=$!; pids+=("$BASE_AGENT_PID")
  wait_for "$BASE/health/ready" "$BASE_AGENT_PID" "the baseline agent's registration" "$LOGS/baseline-agent.log" 60
  echo "warming up the baseline at 64 connections (${WARM_TUNNEL}s)..."
  warm_up warm-baseline baseline "$WARM_TUNNEL"
  run_wrk warm-baseline-c1 1 "$WARM_DIRECT" baseline /small norecord
  run_wrk warm-baseline-64k 16 "$WARM_DIRECT" baseline "/bytes?size=65536" norecord
  echo "baseline small GET (${CELL}s per cell)..."
  for c in 1 16 64; do warm_cell "$c" baseline; run_wrk "small-c$c-baseline" "$c" "$CELL" baseline /small; done
fi

# --- report ------------------------------------------------------------------------------------
# Our processes are idle now (a few % of timers): more than that is someone else's load.
BUSY_AFTER=$(cpu_busy_pct)
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "—"; else printf "%.2f", a / b }'; }
rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 |"); }
cpu_sum() { awk -v a="${R[$1.server_cpu]}" -v b="${R[$1.agent_cpu]}" 'BEGIN { print a + b }'; }
cpu_row() { # what tunnel-cell other-cell: CPU per 10k requests of our tunnel and another one (64 conn)
  row "small GET (100 B), 64 conn" "$1: CPU s per 10k requests, server / agent (ratio of the sums)" \
    "${R[$2.server_cpu]} / ${R[$2.agent_cpu]}" "${R[$3.server_cpu]} / ${R[$3.agent_cpu]}" "$(ratio "$(cpu_sum "$2")" "$(cpu_sum "$3")")"
}
wrk_rows() { # label cell-prefix
  local t=$2-tunnel d=$2-direct
  row "$1" "requests/s" "${R[$t.rps]}" "${R[$d.rps]}" "$(ratio "${R[$t.rps]}" "${R[$d.rps]}")"
  row "$1" "p50 latency (ms)" "$(ms "${R[$t.p50_us]}")" "$(ms "${R[$d.p50_us]}")" "$(ratio "${R[$t.p50_us]}" "${R[$d.p50_us]}")"
  row "$1" "p99 latency (ms)" "$(ms "${R[$t.p99_us]}")" "$(ms "${R[$d.p99_us]}")" "$(ratio "${R[$t.p99_us]}" "${R[$d.p99_us]}")"
  row "$1" "errors: socket / HTTP ≥400" "${R[$t.socket_errors]} / ${R[$t.status_errors]}" \
    "${R[$d.socket_errors]} / ${R[$d.status_errors]}" "—"
  row "$1" "CPU s per 10k requests: server / agent" "${R[$t.server_cpu]} / ${R[$t.agent_cpu]}" "—" "—"
}
for c in 1 16 64; do
  wrk_rows "small GET (100 B), $c conn" "small-c$c"
  if [[ -n ${GO:-} ]]; then
    g=small-c$c-go t=small-c$c-tunnel
    row "small GET (100 B), $c conn" "Go wsp in Direct: requests/s (wsp / Go wsp)" "${R[$t.rps]}" "${R[$g.rps]}" "$(ratio "${R[$t.rps]}" "${R[$g.rps]}")"
    row "small GET (100 B), $c conn" "Go wsp in Direct: p50 / p99 latency (ms)" "$(ms "${R[$t.p50_us]}") / $(ms "${R[$t.p99_us]}")" \
      "$(ms "${R[$g.p50_us]}") / $(ms "${R[$g.p99_us]}")" "—"
    if ((c == 64)); then cpu_row "Go wsp in Direct" "$t" "$g"; fi
  fi
  if [[ -n $BASE_DIR ]]; then
    b=small-c$c-baseline t=small-c$c-tunnel
    row "small GET (100 B), $c conn" "Baseline wsp in Direct: requests/s (wsp / baseline)" "${R[$t.rps]}" "${R[$b.rps]}" "$(ratio "${R[$t.rps]}" "${R[$b.rps]}")"
    row "small GET (100 B), $c conn" "Baseline wsp in Direct: p50 latency (ms)" "$(ms "${R[$t.p50_us]}")" "$(ms "${R[$b.p50_us]}")" "$(ratio "${R[$t.p50_us]}" "${R[$b.p50_us]}")"
    row "small GET (100 B), $c conn" "Baseline wsp in Direct: p99 latency (ms)" "$(ms "${R[$t.p99_us]}")" "$(ms "${R[$b.p99_us]}")" "$(ratio "${R[$t.p99_us]}" "${R[$b.p99_us]}")"
    row "small GET (100 B), $c conn" "Baseline wsp in Direct: errors: socket / HTTP ≥400" "${R[$t.socket_errors]} / ${R[$t.status_errors]}" \
      "${R[$b.socket_errors]} / ${R[$b.status_errors]}" "—"
    if ((c == 64)); then cpu_row "Baseline wsp in Direct" "$t" "$b"; fi
  fi
done
wrk_rows "64 KiB GET, 16 conn" 64k
row "64 KiB GET, 16 conn" "MB/s" "${R[64k-tunnel.mbps]}" "${R[64k-direct.mbps]}" "$(ratio "${R[64k-tunnel.mbps]}" "${R[64k-direct.mbps]}")"
SIZE_LABEL="$((BIG / 1024 / 1024)) MiB"
((BIG % (1024 * 1024 * 1024) == 0)) && SIZE_LABEL="$((BIG / 1024 / 1024 / 1024)) GiB"
for d in down up; do
  label="$SIZE_LABEL download, 1 conn"; [[ $d == up ]] && label="$SIZE_LABEL upload, 1 conn"
  row "$label" "MB/s, median of $BULK_ROUNDS rounds" "${R[$d-tunnel.mbps]}" "${R[$d-direct.mbps]}" "$(ratio "${R[$d-tunnel.mbps]}" "${R[$d-direct.mbps]}")"
  row "$label" "MB/s of each round" "${R[$d-tunnel.rounds]}" "${R[$d-direct.rounds]}" "—"
  row "$label" "RSS before → highest peak of the rounds (MB): server" "${R[$d-tunnel.server_rss0]} → ${R[$d-tunnel.server_rss]}" "—" "—"
  row "$label" "RSS before → highest peak of the rounds (MB): agent" "${R[$d-tunnel.agent_rss0]} → ${R[$d-tunnel.agent_rss]}" "—" "—"
  row "$label" "CPU s per GiB, mean of the rounds: server / agent" "${R[$d-tunnel.server_cpu]} / ${R[$d-tunnel.agent_cpu]}" "—" "—"
  row "$label" "Two socat relays in Direct: MB/s (wsp / relays)" "${R[$d-tunnel.mbps]}" "${R[$d-relay.mbps]}" \
    "$(ratio "${R[$d-tunnel.mbps]}" "${R[$d-relay.mbps]}")"
  row "$label" "Two socat relays: MB/s of each round" "—" "${R[$d-relay.rounds]}" "—"
done

TABLE=$(printf '%s\n' "| Test | Metric | Tunnel | Direct | Tunnel / direct |" "|---|---|---:|---:|---:|" "${rows[@]}")
RUNTIME=$((SECONDS - started))
echo
echo "$TABLE"
echo
echo "runtime ${RUNTIME}s"

{
  echo "# wsp benchmark results ($MODE run)"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/^MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
  echo "- Java: $(java -version 2>&1 | head -1); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); $(curl --version | head -1 | cut -d' ' -f1-2)"
  # The jars are reused when present, so the commit alone may not be what ran: give their age too.
  echo "- wsp: commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . ':!bench/results*.md' 2>/dev/null || echo ' (with uncommitted changes)'); wsp.war built $(date -u -r "$WAR" '+%Y-%m-%d %H:%M UTC'), wsp-agent.jar $(date -u -r "$AGENT_JAR" '+%H:%M UTC'); $(server_version "$LOGS/server.log")"
  if [[ -n $BASE_DIR ]]; then
    echo "- Baseline wsp: commit $BASE_COMMIT of $BASE_DIR; wsp.war built $(date -u -r "$BASE_DIR/$WAR" '+%Y-%m-%d %H:%M UTC'), wsp-agent.jar $(date -u -r "$BASE_DIR/$AGENT_JAR" '+%H:%M UTC'); $(CONTAINER=payara server_version "$LOGS/baseline-server.log"); Java: $("$BASE_JAVA" -version 2>&1 | head -1)"
  fi
  echo "- Runtime of bench/run.sh$OPTS: ${RUNTIME}s; ${CELL}s per wrk cell after warm-up at 64 connections: ${WARM_TUNNEL}s tunnel (req/s per 10 s: ${R[warm-tunnel.curve]})${BASE_DIR:+, ${WARM_TUNNEL}s baseline tunnel (req/s per 10 s: ${R[warm-baseline.curve]:-})}, ${WARM_DIRECT}s direct${GO:+ and Go wsp}"
  echo "- CPU busy (all cores) with nothing measured running: ${BUSY_BEFORE}% before start, ${BUSY_AFTER}% after the cells (our idle JVMs included); more than ~10% means another load shared the machine"
  echo
  echo "Everything ran on this one machine over loopback: wrk/curl, $([[ $CONTAINER == wildfly ]] && echo WildFly || echo Payara Micro), the agent and the API share its CPUs."
  echo "MB = 10^6 bytes. Tunnel / direct below 1 means slower for req/s and MB/s, above 1 means slower for latency."
  if [[ -n ${GO:-} ]]; then
    echo "Rows \"Go wsp in Direct\" put the Go wsp (root-gg/wsp: its server and agent, the same pool sizes) in the Direct column, measured in this run."
  fi
  if [[ -n $BASE_DIR ]]; then
    echo "Rows \"Baseline wsp in Direct\" put the baseline wsp (commit $BASE_COMMIT: its Payara Micro, wsp.war and agent, the same flags) in the Direct column, measured in this run after all other cells, with our tunnel and the Go wsp stopped, after the same warm-up as ours."
  fi
  echo "Rows \"Two socat relays in Direct\" put caller -> socat -> socat -> API in the Direct column: two hops that only copy bytes, the ceiling for any design with the tunnel's two relays on this machine."
  echo
  echo "$TABLE"
  echo
  # Figures taken while a JVM was out of memory are not figures: say so next to them.
  for f in server agent ${BASE_DIR:+baseline-server baseline-agent}; do
    n=$(grep -c 'OutOfMemoryError' "$LOGS/$f.log" || true)
    ((n == 0)) || echo "**Warning: $LOGS/$f.log has $n OutOfMemoryError lines; the figures above are not valid.**"
  done
  echo
  echo "## Commands"
  echo
  echo '```sh'
  echo "$CMD_API"
  echo "$CMD_SERVER"
  echo "$CMD_AGENT"
  echo "$CMD_RELAY"
  if [[ -n $BASE_DIR ]]; then echo "$CMD_BASE_SERVER"; echo "$CMD_BASE_AGENT"; fi
  printf '%s\n' "${CMDS[@]}"
  echo '```'
  echo
  echo "CPU is utime+stime from /proc/PID/stat of the server and agent JVMs, before and after each cell;"
  echo "peak RSS is the highest VmRSS sampled every 0.5 s during the transfer."
} >"$OUT"
echo "written to $OUT"
