# Shared by bench/run.sh and bench/soak.sh (sourced, not run): building, free ports, and starting
# the internal API stand-in and Payara Micro with wsp.war on 127.0.0.1. The caller sets LOGS and
# TMPD, keeps a `pids` array (this file appends to it) and stops what it started.

# Payara Micro 7 needs Java 21+: java and mvn below are a JDK 21+ (or the run stops here, saying so).
# shellcheck source=.ci/jdk.sh
. .ci/jdk.sh
use_jdk21

SERVER_JAR=wsp-it/target/payara-micro.jar
WAR=wsp-server-war/target/wsp.war
AGENT_JAR=wsp-agent/target/wsp-agent.jar
# The container the tunnel's server runs in: payara (Payara Micro) or wildfly (the distribution
# wsp-it unpacks and configures with wildfly-config/wsp.cli before its integration tests).
CONTAINER=${WSP_BENCH_CONTAINER:-payara}
case $CONTAINER in
  payara) CONTEXT= ;;
  # WildFly gives a WAR the context root of its name.
  wildfly) CONTEXT=/wsp ;;
  *) echo "WSP_BENCH_CONTAINER must be payara or wildfly, not $CONTAINER" >&2; exit 2 ;;
esac

die() { echo "$(basename "$0" .sh): $*" >&2; exit 1; }

# Percent of all CPUs busy over 2 s, from /proc/stat. Every process here shares the machine's
# cores, so another load beside the run changes its figures: measured so the results can say so.
cpu_busy_pct() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
  sleep 2
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2]) }'
}

# The unpacked WildFly, if wsp-it got that far (its version is the parent pom's wildfly.version).
wildfly_home() { local d; for d in wsp-it/target/wildfly-*/; do [[ -f $d/jboss-modules.jar ]] && echo "${d%/}" && return; done; }

ensure_built() {
  local f goal=package
  # wsp-it unpacks and configures WildFly before its integration tests, which -DskipTests skips.
  [[ -n ${WILDFLY_NEEDED:-} ]] && goal=verify
  for f in "$SERVER_JAR" "$WAR" "$AGENT_JAR" ${WILDFLY_NEEDED:+"$(wildfly_home)/jboss-modules.jar"}; do
    if [[ ! -f $f ]]; then
      echo "building (mvn -B -q $goal -DskipTests)..."
      mvn -B -q "$goal" -DskipTests
      return
    fi
  done
}

# Free: no socket of any state on it (a connection's local end blocks a bind as well as a listener).
port_free() { ! ss -Htan "sport = :$1" | grep -q .; }
# Below the kernel's ephemeral range when it leaves room (32768-60999 by default): a port picked
# there can be taken by any outgoing connection (ours, or another load's) before it is bound.
pick_port() { # avoid...: ports already picked
  local p lo
  lo=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 0)
  for _ in $(seq 1 100); do
    if ((lo > 25000)); then p=$((20000 + RANDOM % (lo - 20000))); else p=$((20000 + RANDOM % 40000)); fi
    [[ " $* " != *" $p "* ]] && port_free "$p" && { echo "$p"; return; }
  done
  die "no free port found"
}

random_key() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24; }

wait_for() { # url pid what log seconds
  local deadline=$((SECONDS + $5))
  while ((SECONDS < deadline)); do
    kill -0 "$2" 2>/dev/null || die "$3 exited; see $4"
    curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  die "$3 not up after $5 s; see $4"
}

# Starts bench/BenchApi.java on API_PORT; sets API_PID and CMD_API.
start_api() {
  CMD_API="java bench/BenchApi.java $API_PORT"
  java bench/BenchApi.java "$API_PORT" >"$LOGS/api.log" 2>&1 &
  API_PID=$!; pids+=("$API_PID")
}

# Starts the CONTAINER with wsp.war on SERVER_PORT, its environment given as NAME=value arguments
# (values never printed: CMD_SERVER names them as $NAME). Sets SERVER_PID and CMD_SERVER.
start_server() {
  if [[ $CONTAINER == wildfly ]]; then
    start_wildfly "$SERVER_PORT" server "$@"
    SERVER_PID=$WILDFLY_PID; CMD_SERVER=$WILDFLY_CMD
  else
    start_payara . java "$SERVER_PORT" server "$@"
    SERVER_PID=$PAYARA_PID; CMD_SERVER=$PAYARA_CMD
  fi
}

# The server's name and version, from its log.
server_version() {
  if [[ $CONTAINER == wildfly ]]; then
    grep -om1 'WildFly [0-9][^ ]* ([^)]*)' "$1" || echo "WildFly (version not in $1)"
  else
    grep -om1 'Payara Micro[^(]*([^)]*)' "$1" || echo "Payara Micro (version not in $1)"
  fi
}

# start_wildfly PORT NAME [NAME=value...]: WildFly (wsp-it's, configured by wildfly-config/wsp.cli)
# with wsp.war at /wsp, run by our java, on 127.0.0.1:PORT, logging to $LOGS/NAME.log, with a copy
# of its standalone/ of its own and the same fixed heap as Payara. Sets WILDFLY_PID (the JVM's: its
# CPU and memory are measured) and WILDFLY_CMD (environment values shown as $NAME).
start_wildfly() {
  local port=$1 name=$2 shown=() assignment home base mgmt script_pid
  shift 2
  for assignment in "$@"; do shown+=("${assignment%%=*}=\$${assignment%%=*}"); done
  home=$(wildfly_home)
  [[ -n $home ]] || die "no WildFly under wsp-it/target (mvn -B -q verify -DskipTests unpacks it)"
  base=$TMPD/wildfly-$name
  cp -r "$home/standalone" "$base"
  cp "$WAR" "$base/deployments/wsp.war"
  # Its management port, on loopback, must be free too.
  mgmt=$(pick_port "$port" "${API_PORT:-}" "${RELAY_PORT:-}" "${RELAY_PORT2:-}" "${GO_PORT:-}")
  local args=(-Djboss.server.base.dir="$base" -Djboss.http.port="$port" -Djboss.https.port=0
    -Djboss.management.http.port="$mgmt" -Djboss.management.https.port=0)
  WILDFLY_CMD="${shown[*]} JBOSS_JAVA_SIZING='-Xms1g -Xmx1g' $home/bin/standalone.sh ${args[*]/$base/<copy of standalone/ with wsp.war in deployments/>}"
  # In the background, standalone.sh passes a TERM on to the JVM and writes the JVM's pid.
  env "$@" JAVA_HOME="$JAVA_HOME" JBOSS_JAVA_SIZING="-Xms1g -Xmx1g" LAUNCH_JBOSS_IN_BACKGROUND=1 \
    JBOSS_PIDFILE="$base/jvm.pid" "$home/bin/standalone.sh" "${args[@]}" >"$LOGS/$name.log" 2>&1 &
  script_pid=$!; pids+=("$script_pid")
  local deadline=$((SECONDS + 30))
  until [[ -s $base/jvm.pid ]]; do
    kill -0 "$script_pid" 2>/dev/null || die "WildFly exited; see $LOGS/$name.log"
    ((SECONDS < deadline)) || die "WildFly's JVM did not start in 30 s; see $LOGS/$name.log"
    sleep 0.2
  done
  # Stopped before its script (pids are stopped newest first), so a JVM that hangs is forced too.
  WILDFLY_PID=$(cat "$base/jvm.pid"); pids+=("$WILDFLY_PID")
}

# start_payara CHECKOUT JAVA PORT NAME [NAME=value...]: Payara Micro with wsp.war of the checkout
# CHECKOUT (its built jars and its own payara-config/), run by JAVA, on 127.0.0.1:PORT, logging to
# $LOGS/NAME.log. Sets PAYARA_PID and PAYARA_CMD (for humans: environment values shown as $NAME).
start_payara() {
  local dir=$1 java=$2 port=$3 name=$4 shown=() assignment jar war preboot
  shift 4
  for assignment in "$@"; do shown+=("${assignment%%=*}=\$${assignment%%=*}"); done
  jar=$SERVER_JAR war=$WAR
  [[ $dir == . ]] || { jar=$dir/$SERVER_JAR; war=$dir/$WAR; }
  # The checkout's pre-boot commands, plus one that binds the listener to loopback (Payara listens
  # on every interface by default); generated so it never drifts from payara-config/.
  preboot=$TMPD/$name-pre-boot-commands.asadmin
  { cat "$dir/payara-config/pre-boot-commands.asadmin"; echo
    echo 'set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1'
  } >"$preboot"
  local shown_preboot=payara-config/pre-boot-commands.asadmin
  [[ $dir == . ]] || shown_preboot=$dir/$shown_preboot
  # A fixed heap: when it could grow, G1 kept 450-600 MB of the 1 GiB committed, Payara's promoted
  # buffers filled it, young collections shrank and grew 10-fold, and req/s at 64 connections
  # swung +-15% with them (see bench/README.md).
  # USE_NO_THREADS: see demo/run.sh.
  PAYARA_CMD="${shown[*]} $java -Xms1g -Xmx1g -Dorg.glassfish.startupThreadPolicy=USE_NO_THREADS -jar $jar --deploy $war --contextroot / --port $port --nohazelcast --prebootcommandfile <$shown_preboot + listener address=127.0.0.1> --rootdir <temporary directory>"
  # --rootdir inside TMPD: Payara's own clean-up of /tmp/payaramicro-rt* at exit is not reliable.
  env "$@" "$java" -Xms1g -Xmx1g -Dorg.glassfish.startupThreadPolicy=USE_NO_THREADS -jar "$jar" --deploy "$war" --contextroot / --port "$port" \
    --nohazelcast --prebootcommandfile "$preboot" --rootdir "$TMPD/payara-$name" >"$LOGS/$name.log" 2>&1 &
  PAYARA_PID=$!; pids+=("$PAYARA_PID")
}
