# Sourced by .ci/run, demo/run.sh and bench/: puts a JDK 21+ first on PATH and in JAVA_HOME, since
# Payara Micro 7 needs Java 21 (the WAR and the agent stay Java 17 code). JAVA_HOME when it is one,
# else the newest JDK under /usr/lib/jvm; with none, one line on stderr and exit 2.
# (`mvn -B verify` finds one by itself, through maven-toolchains-plugin: see pom.xml.)

jdk_major() { # JDK home -> its feature version, or nothing
  local v
  [[ -x $1/bin/java && -x $1/bin/javac ]] || return 0
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
  [[ -n $v ]] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  echo "$v"
}

use_jdk21() {
  local best="" best_major=0 home major
  if [[ -n ${JAVA_HOME:-} ]] && major=$(jdk_major "$JAVA_HOME") && [[ ${major:-0} -ge 21 ]]; then
    best=$JAVA_HOME
  else
    for home in /usr/lib/jvm/*/; do
      home=${home%/}
      [[ -L $home ]] && continue # Debian's aliases (default-java, java-1.17.0-...) name the same JDKs
      major=$(jdk_major "$home")
      if [[ ${major:-0} -ge 21 && $major -gt $best_major ]]; then best=$home; best_major=$major; fi
    done
  fi
  if [[ -z $best ]]; then
    echo "no JDK 21 or newer found (Payara Micro 7 needs one): set JAVA_HOME to one, or install one under /usr/lib/jvm" >&2
    exit 2
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
}
