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

# Stops what the script started (its pids array), newest first (an agent before its server, so
# the server does not log a burst of lost connections), waits a bounded time before forcing each,
# and removes its TMPD.
stop() {
  trap - INT TERM EXIT
  local pid i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$TMPD"
}

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
# Without the data grid (--nohazelcast) unless PAYARA_GRID holds Payara Micro's grid options
# (bench/cluster.sh: --clustername, --startport, --clustermode).
start_payara() {
  local dir=$1 java=$2 port=$3 name=$4 shown=() assignment jar war preboot grid=(--nohazelcast)
  shift 4
  [[ -n ${PAYARA_GRID:-} ]] && read -ra grid <<<"$PAYARA_GRID"
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
  PAYARA_CMD="${shown[*]} $java -Xms1g -Xmx1g -Dorg.glassfish.startupThreadPolicy=USE_NO_THREADS -jar $jar --deploy $war --contextroot / --port $port ${grid[*]} --prebootcommandfile <$shown_preboot + listener address=127.0.0.1> --rootdir <temporary directory>"
  # --rootdir inside TMPD: Payara's own clean-up of /tmp/payaramicro-rt* at exit is not reliable.
  env "$@" "$java" -Xms1g -Xmx1g -Dorg.glassfish.startupThreadPolicy=USE_NO_THREADS -jar "$jar" --deploy "$war" --contextroot / --port "$port" \
    "${grid[@]}" --prebootcommandfile "$preboot" --rootdir "$TMPD/payara-$name" >"$LOGS/$name.log" 2>&1 &
  PAYARA_PID=$!; pids+=("$PAYARA_PID")
}

# --- measuring (bench/run.sh, bench/cluster.sh) --------------------------------------------------
# The caller defines `target VIA URLPATH`, which names where a cell's requests go: it sets TARGET
# (wrk's or curl's last arguments: any headers, then the URL) and PROCS ("name:pid ...", the JVMs
# whose CPU and memory the cell reports as R[CELL.name_cpu], R[CELL.name_rss]...). Besides LOGS
# and TMPD, the caller sets BIG (bytes per bulk transfer) and BIG_FILE (the upload's body), and
# BULK_CHECK: count (the byte count, the default) or sha256 (also the SHA-256 of every body, then
# BIG_FILE_SHA and BIG_DOWN_SHA are the expected ones).

need_command() { # command: installed from the Debian package of the same name when missing
  command -v "$1" >/dev/null && return
  local sudo=; [[ $(id -u) == 0 ]] || sudo=sudo
  echo "installing $1 (Debian package)..."
  # Only refresh the package lists when the install needs it: apt-get update is slow.
  $sudo apt-get install -y -o DPkg::Lock::Timeout=120 "$1" >"$LOGS/apt.log" 2>&1 ||
    { $sudo apt-get update >>"$LOGS/apt.log" 2>&1 && $sudo apt-get install -y -o DPkg::Lock::Timeout=120 "$1" >>"$LOGS/apt.log" 2>&1; } ||
    die "could not install $1; see $LOGS/apt.log"
}

declare -A R   # results, keyed "cell.metric"
CMDS=()        # every measuring command, as run, for the results file
TICK=$(getconf CLK_TCK)

# Quotes a command for humans to copy: 'single quotes' only where the shell needs them.
show_cmd() {
  local a out=()
  for a; do
    if [[ $a =~ ^[A-Za-z0-9_./:=@,+-]+$ ]]; then out+=("$a"); else out+=("'${a//\'/\'\\\'\'}'"); fi
  done
  echo "${out[*]}"
}

cpu_ticks() { # utime+stime of a process; fields counted after "(comm)" so a space in comm is harmless
  [[ -n $1 ]] || { echo 0; return; }
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# procs_ticks: "name:ticks ..." of every process in PROCS
procs_ticks() {
  local p out=()
  for p in $PROCS; do out+=("${p%%:*}:$(cpu_ticks "${p#*:}")"); done
  echo "${out[*]}"
}

# procs_cpu CELL BEFORE AFTER PER DIVISOR: R[CELL.name_cpu] = CPU seconds of each process in PROCS
# between the two procs_ticks, per DIVISOR units of PER (PER 10000 and the request count: per 10k
# requests)
procs_cpu() {
  local cell=$1 before=$2 after=$3 per=$4 n=$5 p name t0 t1
  R[$cell.procs]=
  for p in $after; do
    name=${p%%:*} t1=${p#*:}
    t0=$(tr ' ' '\n' <<<"$before" | awk -F: -v n="$name" '$1 == n { print $2 }')
    R[$cell.${name}_cpu]=$(awk -v t=$((t1 - t0)) -v h="$TICK" -v n="$n" -v per="$per" 'BEGIN { printf "%.2f", n ? t / h / n * per : 0 }')
    R[$cell.procs]+="${R[$cell.procs]:+ }$name"
  done
}

# run_wrk CELL CONNECTIONS SECONDS VIA PATH [record]: one wrk run to `target VIA PATH`, results
# into R[CELL.*]
run_wrk() {
  local cell=$1 conns=$2 secs=$3 via=$4 path=$5 record=${6:-record}
  local threads=2 t0 t1 line kv
  ((conns > 1)) || threads=1
  target "$via" "$path"
  local cmd=(wrk "-t$threads" "-c$conns" "-d${secs}s" --latency -s bench/report.lua "${TARGET[@]}")
  [[ $record == record ]] && CMDS+=("$(show_cmd "${cmd[@]}")")
  t0=$(procs_ticks)
  "${cmd[@]}" >"$LOGS/wrk-$cell.txt" 2>&1 || die "wrk failed; see $LOGS/wrk-$cell.txt"
  t1=$(procs_ticks)
  line=$(grep '^WRKRESULT' "$LOGS/wrk-$cell.txt") || die "no result from wrk; see $LOGS/wrk-$cell.txt"
  for kv in ${line#WRKRESULT }; do R[$cell.${kv%%=*}]=${kv#*=}; done
  R[$cell.rps]=$(awk -v n="${R[$cell.requests]}" -v d="${R[$cell.duration_us]}" 'BEGIN { printf "%.0f", n / (d / 1e6) }')
  R[$cell.mbps]=$(awk -v b="${R[$cell.bytes]}" -v d="${R[$cell.duration_us]}" 'BEGIN { printf "%.1f", b / (d / 1e6) / 1e6 }')
  # CPU per 10,000 requests: meaningful only through a tunnel, where server and agent do the work.
  procs_cpu "$cell" "$t0" "$t1" 10000 "${R[$cell.requests]}"
  printf '  %-22s %8s req/s  p50 %6.2f ms  p99 %7.2f ms  errors %s/%s\n' "$cell" "${R[$cell.rps]}" \
    "$(awk -v u="${R[$cell.p50_us]}" 'BEGIN { print u / 1000 }')" "$(awk -v u="${R[$cell.p99_us]}" 'BEGIN { print u / 1000 }')" \
    "${R[$cell.socket_errors]}" "${R[$cell.status_errors]}"
}

# warm_up CELL VIA SECONDS: wrk at 64 connections in windows of up to 10 s; their req/s into
# R[CELL.curve]
warm_up() {
  local cell=$1 via=$2 secs=$3 done=0 window
  local -a rates=()
  while ((done < secs)); do
    window=$((secs - done < 10 ? secs - done : 10))
    run_wrk "$cell-$done" 64 "$window" "$via" /small norecord >/dev/null
    rates+=("${R[$cell-$done.rps]}")
    done=$((done + window))
  done
  R[$cell.curve]="${rates[*]}"
  printf '  %-22s %ss: %s req/s\n' "$cell" "$secs" "${rates[*]}"
}

# Samples VmRSS (kB) of every process in PROCS every 0.5 s, one line of columns, into a file until
# killed.
sample_rss() {
  local p line
  while :; do
    line=
    for p in $PROCS; do line+="$(awk '/^VmRSS/ { print $2 }' "/proc/${p#*:}/status" 2>/dev/null || echo 0) "; done
    echo "$line"
    sleep 0.5
  done >"$1"
}

# ensure_big_file: BIG_FILE holds BIG random bytes. Made once and reused across runs: writing
# 1 GiB of random bytes costs seconds on every run.
ensure_big_file() {
  if [[ ! -f $BIG_FILE || $(stat -c %s "$BIG_FILE") != "$BIG" ]]; then
    echo "writing $BIG_FILE ($BIG random bytes, once)..."
    head -c "$BIG" /dev/urandom >"$BIG_FILE.tmp" && mv "$BIG_FILE.tmp" "$BIG_FILE"
  fi
}

# transfer CELL down|up VIA [record]: one BIG-byte body to or from `target VIA`, MB/s and the RSS
# of PROCS before and at their peak into R[CELL.*]; a body short by one byte (or, with BULK_CHECK
# sha256, different in one) fails the run
transfer() {
  local cell=$1 dir=$2 via=$3 record=${4:-record} path cmd t0 t1 out sampler sum= i p
  local check=${BULK_CHECK:-count}
  if [[ $dir == down ]]; then path="/bytes?size=$BIG"
  elif [[ $check == sha256 ]]; then path=/sha256
  else path=/upload; fi
  target "$via" "$path"
  # A download goes to /dev/null (curl counts its bytes): written to a file, the page cache's
  # copying took as much CPU as the transfer and capped tunnel and direct alike at ~600 MB/s;
  # to check its SHA-256 it goes through a pipe instead. An upload's answer is the API's byte
  # count (with sha256: count and SHA-256), kept to check.
  local out_file=/dev/null
  [[ $dir == up ]] && out_file=$TMPD/body
  [[ $dir == down && $check == sha256 ]] && out_file=-
  cmd=(curl -sS --max-time 300 -o "$out_file" -w '%{stderr}%{http_code} %{size_download} %{size_upload} %{time_total}')
  [[ $dir == up ]] && cmd+=(-X POST -T "$BIG_FILE")
  cmd+=("${TARGET[@]}")
  if [[ $record == record ]]; then
    local shown_cmd
    shown_cmd=$(show_cmd "${cmd[@]}" | sed "s|$TMPD/body|<answer file>|")
    [[ $out_file == - ]] && shown_cmd+=" | sha256sum"
    CMDS+=("$shown_cmd")
  fi
  t0=$(procs_ticks)
  sample_rss "$TMPD/rss-$cell" & sampler=$!; pids+=("$sampler")
  if [[ $out_file == - ]]; then
    sum=$("${cmd[@]}" 2>"$TMPD/curl-out" | sha256sum) || die "$cell: curl failed: $(cat "$TMPD/curl-out")"
    sum=${sum%% *}
  else
    "${cmd[@]}" 2>"$TMPD/curl-out" || die "$cell: curl failed: $(cat "$TMPD/curl-out")"
  fi
  out=$(tail -1 "$TMPD/curl-out")
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  unset 'pids[-1]'  # the sampler, gone: its number may be reused before the script ends
  t1=$(procs_ticks)
  read -r code down up secs <<<"$out"
  [[ $code == 200 ]] || die "$cell: HTTP $code"
  # A body that is short by even one byte must fail the run, not be timed as a fast transfer.
  if [[ $dir == down ]]; then
    [[ $down == "$BIG" ]] || die "$cell: got $down of $BIG bytes"
    [[ $check != sha256 || $sum == "$BIG_DOWN_SHA" ]] || die "$cell: SHA-256 $sum, not $BIG_DOWN_SHA"
  elif [[ $check == sha256 ]]; then
    [[ $up == "$BIG" && $(tr -d '\n' <"$TMPD/body") == "$BIG $BIG_FILE_SHA" ]] || die "$cell: API got $(cat "$TMPD/body"), not $BIG $BIG_FILE_SHA"
  else
    [[ $up == "$BIG" && $(tr -d '\n' <"$TMPD/body") == "$BIG" ]] || die "$cell: API counted $(cat "$TMPD/body") of $BIG bytes"
  fi
  R[$cell.mbps]=$(awk -v b="$BIG" -v t="$secs" 'BEGIN { printf "%.0f", b / t / 1e6 }')
  procs_cpu "$cell" "$t0" "$t1" 1 "$(awk -v b="$BIG" 'BEGIN { print b / 1073741824 }')"
  local shown=()
  i=0
  for p in $PROCS; do
    i=$((i + 1))
    R[$cell.${p%%:*}_rss]=$(awk -v c="$i" 'BEGIN { m = 0 } $c > m { m = $c } END { printf "%.0f", m / 1024 }' "$TMPD/rss-$cell")
    # The first sample is the RSS before the body moved: peak minus it is what the transfer cost.
    R[$cell.${p%%:*}_rss0]=$(awk -v c="$i" 'NR == 1 { printf "%.0f", $c / 1024 }' "$TMPD/rss-$cell")
    shown+=("${p%%:*} ${R[$cell.${p%%:*}_rss0]} -> ${R[$cell.${p%%:*}_rss]} MB")
  done
  printf '  %-22s %6s MB/s  in %ss  RSS %s\n' "$cell" "${R[$cell.mbps]}" "$secs" "$(IFS=,; echo "${shown[*]}" | sed 's/,/, /g')"
}

# median_round CELL: copies the round (CELL-1 ... CELL-BULK_ROUNDS) with the median MB/s to CELL;
# peak RSS is the highest of all rounds, CPU the mean, and R[CELL.rounds] lists every round's MB/s
median_round() {
  local cell=$1 round rounds=() mid key name
  for ((round = 1; round <= BULK_ROUNDS; round++)); do rounds+=("${R[$cell-$round.mbps]} $round"); done
  mid=$(printf '%s\n' "${rounds[@]}" | sort -n | awk -v n="$BULK_ROUNDS" 'NR == int((n + 1) / 2) { print $2 }')
  R[$cell.mbps]=${R[$cell-$mid.mbps]}
  R[$cell.procs]=${R[$cell-1.procs]}
  for name in ${R[$cell.procs]}; do
    R[$cell.${name}_rss0]=${R[$cell-$mid.${name}_rss0]}
    key=${name}_rss
    R[$cell.$key]=$(for ((round = 1; round <= BULK_ROUNDS; round++)); do echo "${R[$cell-$round.$key]}"; done | sort -n | tail -1)
    key=${name}_cpu
    R[$cell.$key]=$(for ((round = 1; round <= BULK_ROUNDS; round++)); do echo "${R[$cell-$round.$key]}"; done |
      awk '{ s += $1 } END { printf "%.2f", s / NR }')
  done
  R[$cell.rounds]=$(for ((round = 1; round <= BULK_ROUNDS; round++)); do echo "${R[$cell-$round.mbps]}"; done | paste -sd' ')
}
