#!/usr/bin/env bash
# Builds wsp and starts the whole thing on this machine: a demo internal API on 127.0.0.1:8081,
# the wsp server WAR on Payara Micro at http://127.0.0.1:8080, and an agent connected to it.
# Prints a curl that goes through the tunnel. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
# Payara Micro 7 needs Java 21+: java and mvn below are a JDK 21+ (or the demo stops here, saying so).
# shellcheck source=.ci/jdk.sh
. .ci/jdk.sh
use_jdk21

SERVER_PORT=${WSP_DEMO_PORT:-8080}
API_PORT=${WSP_DEMO_API_PORT:-8081}
# Fresh random keys per run: the agent and the server share the secret; callers of /request
# present the caller key (the printed curls do).
random_key() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24; }
SECRET=$(random_key)
CALLER_KEY=$(random_key)
LOGS=target/demo
mkdir -p "$LOGS"
pids=()

stop() {
  trap - INT TERM EXIT
  echo
  echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # A JVM stuck in its boot ignores TERM (its shutdown hook waits for the boot): 10 s, then KILL.
  for _ in $(seq 1 20); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

for port in "$SERVER_PORT" "$API_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use; stop what uses it (or set WSP_DEMO_PORT / WSP_DEMO_API_PORT)" >&2
    exit 1
  fi
done

echo "building (mvn -B -q package -DskipTests)..."
mvn -B -q package -DskipTests
PAYARA=wsp-it/target/payara-micro.jar

wait_for() { # url what log
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "$2 did not come up; see $3" >&2
  exit 1
}

java demo/DemoApi.java "$API_PORT" > "$LOGS/api.log" 2>&1 &
pids+=($!)

# USE_NO_THREADS: Payara boots its services on one thread; threaded, its boot deadlocked now and then
# (README, "Build outputs").
WSP_SECRET_KEY=$SECRET WSP_CALLER_KEYS=$CALLER_KEY java -Xmx256m -Dorg.glassfish.startupThreadPolicy=USE_NO_THREADS \
  -jar "$PAYARA" --deploy wsp-server-war/target/wsp.war --contextroot / \
  --port "$SERVER_PORT" --nohazelcast --prebootcommandfile payara-config/pre-boot-commands.asadmin \
  > "$LOGS/server.log" 2>&1 &
pids+=($!)
echo "starting Payara Micro with wsp.war (log: $LOGS/server.log)..."
wait_for "http://127.0.0.1:$API_PORT/hello" "the demo internal API" "$LOGS/api.log"
wait_for "http://127.0.0.1:$SERVER_PORT/status" "the wsp server" "$LOGS/server.log"

# The agent refuses every destination unless allowed: this one may call the demo API, nothing else.
WSP_SECRET_KEY=$SECRET java -Xmx64m -jar wsp-agent/target/wsp-agent.jar \
  --server "ws://127.0.0.1:$SERVER_PORT/register" --id demo-agent --label env=demo --pool-idle 4 --pool-max 32 \
  --allow "^http://127\.0\.0\.1:$API_PORT/" \
  > "$LOGS/agent.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$SERVER_PORT/status" 2>/dev/null | grep -q '"id":"demo-agent"' && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$SERVER_PORT/status" | grep -q '"id":"demo-agent"' || {
  echo "the agent did not register; see $LOGS/agent.log" >&2; exit 1; }

cat <<TXT

wsp is running: server http://127.0.0.1:$SERVER_PORT, agent "demo-agent", internal API http://127.0.0.1:$API_PORT
Try (this run's caller key is $CALLER_KEY):

  curl -H 'Authorization: Bearer $CALLER_KEY' -H 'X-PROXY-DESTINATION: http://127.0.0.1:$API_PORT/hello' http://127.0.0.1:$SERVER_PORT/request

  curl -N -H 'X-API-Key: $CALLER_KEY' -H 'X-PROXY-DESTINATION: http://127.0.0.1:$API_PORT/events' http://127.0.0.1:$SERVER_PORT/request
  curl -H 'X-API-Key: $CALLER_KEY' -H 'X-PROXY-DESTINATION: http://127.0.0.1:$API_PORT/echo' --data-binary 'hi there' http://127.0.0.1:$SERVER_PORT/request
  curl -H 'X-PROXY-DESTINATION: http://127.0.0.1:$API_PORT/hello' http://127.0.0.1:$SERVER_PORT/request   # no key: 401
  curl http://127.0.0.1:$SERVER_PORT/status
  curl http://127.0.0.1:$SERVER_PORT/metrics

Dashboard: http://127.0.0.1:$SERVER_PORT/dashboard/

  # refused by the agent (403): it may call the demo API only
  curl -H 'X-API-Key: $CALLER_KEY' -H 'X-PROXY-DESTINATION: http://169.254.169.254/latest/meta-data/' http://127.0.0.1:$SERVER_PORT/request

Logs in $LOGS/. Ctrl-C stops everything.
TXT
wait
