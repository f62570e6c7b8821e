#!/usr/bin/env bash
# Measures the reconnect storm: N agents (pool P each) against a wsp server that is stopped with
# SIGTERM and started again on the same port. Counts the agents' dial attempts per second (each
# attempt is logged by the agent: "cannot connect ..." or "connected to ..."), which is what the
# server's port receives, and how long after the restarted server answers every pool is full.
# A one-off measurement, not a test; run after `mvn -B package` (or `mvn -B verify`).
#
#   bench/reconnect-storm.sh [AGENTS [POOL [DOWN_SECONDS]]]    defaults: 20 agents, pool 10, 20 s down
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=.ci/jdk.sh
. .ci/jdk.sh
use_jdk21

AGENTS=${1:-20}
POOL=${2:-10}
DOWN=${3:-20}
SERVER_JAR=wsp-it/target/payara-micro.jar
WAR=wsp-server-war/target/wsp.war
AGENT_JAR=wsp-agent/target/wsp-agent.jar
for f in "$SERVER_JAR" "$WAR" "$AGENT_JAR"; do
  [[ -f $f ]] || { echo "missing $f: run mvn -B package first" >&2; exit 2; }
done
WORK=bench/logs/storm-$(date +%s)
mkdir -p "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])')
SECRET=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
PIDS=()
SERVER_PID=
cleanup() {
  for p in "${PIDS[@]}" $SERVER_PID; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

start_server() {
  # A fresh root directory per start, as Payara Micro does by default.
  WSP_SECRET_KEY=$SECRET java -Xmx256m -Dorg.glassfish.startupThreadPolicy=USE_NO_THREADS -jar "$SERVER_JAR" --deploy "$WAR" --contextroot / --nohazelcast \
    --port "$PORT" --prebootcommandfile payara-config/pre-boot-commands.asadmin \
    --rootdir "$WORK/payara-$1" >>"$WORK/payara.log" 2>&1 &
  SERVER_PID=$!
  until curl -sf "http://127.0.0.1:$PORT/health/live" | grep -q '"agents"'; do sleep 0.2; done
}

connections() {
  curl -sf "http://127.0.0.1:$PORT/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["total"])' 2>/dev/null || echo 0
}

start_server 1
for i in $(seq 1 "$AGENTS"); do
  WSP_SECRET_KEY=$SECRET java -Xmx48m -jar "$AGENT_JAR" --server "ws://127.0.0.1:$PORT/register" \
    --id "storm-$i" --pool-idle "$POOL" --pool-max "$POOL" >"$WORK/agent-$i.log" 2>&1 &
  PIDS+=($!)
done
WANT=$((AGENTS * POOL))
until [[ $(connections) -ge $WANT ]]; do sleep 0.5; done
echo "$WANT connections up; stopping the server for ${DOWN} s"

kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
STOPPED=$(date +%s)
sleep "$DOWN"
start_server 2
UP=$(date +%s.%N)
until [[ $(connections) -ge $WANT ]]; do sleep 0.1; done
FULL=$(date +%s.%N)

echo "server answered again $(( ${UP%.*} - STOPPED )) s after it stopped; all $WANT connections back $(python3 -c "print(round($FULL - $UP, 2))") s later"
echo "dial attempts per second (all agents), from the stop to the full pools:"
cat "$WORK"/agent-*.log | grep -E 'cannot connect|connected to' | awk -v from="$(date -d @"$STOPPED" '+%F %T')" '$1" "$2 >= from {print $2}' \
  | sort | uniq -c | awk '{printf "  %s %5d\n", $2, $1}'
