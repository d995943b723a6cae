#!/usr/bin/env bash
# Runs one benchmark scenario from the repository root: builds bench/target/fairlead-bench.jar (and, on first use,
# the go-control-plane peer into ~/.cache/fairlead/bench), then runs the scenario against every server.
#   bench/run.sh scenario-a                 # or scenario-b, scenario-c, scenario-d, bandwidth, jmh
#   bench/run.sh scenario-c --modes delta --duration 30
#   bench/run.sh report --charts bench/charts   # medians, ranges, ratios and SVG charts of the rows run so far
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -Dfairlead.skipProvision=true -pl bench -am package -DskipTests
what=${1:?usage: bench/run.sh <scenario-a|scenario-b|scenario-c|scenario-d|bandwidth|report|jmh> [--option value]...}
shift
if [[ $what == jmh ]]; then
  exec java -cp bench/target/fairlead-bench.jar org.openjdk.jmh.Main "${@:-dev.fairlead.bench.jmh}"
fi
exec java -Xmx10g -XX:+UseG1GC -jar bench/target/fairlead-bench.jar "$what" "$@"
