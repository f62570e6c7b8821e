#!/usr/bin/env bash
# Reproduces the HTTP/2 deadlock of Payara Micro 7.2026.11's listener (README, Errors): boots
# Payara Micro with wsp.war and payara-config/ (the demo's and tests' set-up), runs
# bench/H2cHangUps.java against it with 8 threads for at most 60 s, and prints how long the
# listener kept answering new connections and how many deadlocked thread pairs its dump shows.
# Not a speed figure: a check to run again on each new Payara version.
#   bench/h2c-hangups.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[[ ${1:-} == -h || ${1:-} == --help ]] && { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
[[ $# == 0 ]] || { echo "h2c-hangups.sh takes no arguments" >&2; exit 2; }
. bench/lib.sh
LOGS=bench/logs/h2c-hangups
mkdir -p "$LOGS"
TMPD=$(mktemp -d /tmp/wsp-bench.XXXXXX)
pids=()
trap stop EXIT
trap 'exit 130' INT TERM

ensure_built
SERVER_PORT=$(pick_port)
start_payara . java "$SERVER_PORT" server "WSP_SECRET_KEY=$(random_key)"
wait_for "http://127.0.0.1:$SERVER_PORT/health/live" "$PAYARA_PID" "Payara Micro" "$LOGS/server.log" 180
echo "Payara Micro on port $SERVER_PORT; $(grep -c '^set ' payara-config/pre-boot-commands.asadmin) pre-boot commands from payara-config/"
result=0
java bench/H2cHangUps.java "http://127.0.0.1:$SERVER_PORT" 8 60 || result=$?
dump=$LOGS/threads.txt
jcmd "$PAYARA_PID" Thread.print >"$dump" 2>&1 || true
echo "deadlocked thread pairs in the server's thread dump: $(grep -c 'Found one Java-level deadlock' "$dump" || true) (see $dump)"
exit "$result"
