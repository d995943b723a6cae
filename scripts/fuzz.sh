#!/usr/bin/env bash
# Fuzzes Fairlead's fuzz targets (Jazzer @FuzzTest methods) with coverage guidance, each for 30 s a round (or
# FUZZ_SECONDS).
#
#   scripts/fuzz.sh              one round of every target (what CI runs)
#   scripts/fuzz.sh 20           twenty rounds of every target, each round going on from the corpus the last one
#                                grew (kept in <module>/.cifuzz-corpus/, outside git)
#   scripts/fuzz.sh 1 TranslatorFuzzTest   one target only
#   FUZZ_SECONDS=1200 scripts/fuzz.sh      rounds of 20 minutes instead of 30 s (a long run: the time a round spends
#                                replaying the corpus it starts from stays small beside its fuzzing)
#
# Without JAZZER_FUZZ, `./mvnw verify` runs every target over its kept inputs only (src/test/resources/.../
# <Target>Inputs/<method>/), as regression tests. A finding fails the round and Jazzer writes the input that
# triggered it there as crash-<sha1>: fix the defect, give the file a name saying what it found, and commit it.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-1}
only=${2:-}
# module:TestClass
targets=(
  xds-server:TranslatorFuzzTest
  xds-server:AdsRequestFuzzTest
  app:ConfigFileParserFuzzTest
  allocator:AllocateRequestFuzzTest
)

# A round's length: the @FuzzTest's maxDuration, or FUZZ_SECONDS given as libFuzzer's -max_total_time. Jazzer's JUnit
# integration passes the configuration parameters jazzer.internal.arg.N to libFuzzer after its own flags (the first is
# libFuzzer's argv[0]), and libFuzzer takes the last of a repeated flag.
length=()
seconds=${FUZZ_SECONDS:-30}
if [ -n "${FUZZ_SECONDS:-}" ]; then
  length=(-Djazzer.internal.arg.0=fuzz "-Djazzer.internal.arg.1=-max_total_time=$FUZZ_SECONDS")
fi

output=$(mktemp)
trap 'rm -f "$output"' EXIT

for target in "${targets[@]}"; do
  module=${target%%:*} class=${target#*:}
  if [ -n "$only" ] && [ "$only" != "$class" ]; then continue; fi
  total=0
  for ((round = 1; round <= rounds; round++)); do
    echo "fuzz: $class round $round/$rounds"
    JAZZER_FUZZ=1 ./mvnw -B -ntp -q -pl "$module" -am verify -Dfairlead.skipProvision=true \
      -Dtest="$class" -Dit.test=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
      "${length[@]}" 2>&1 | tee "$output"
    # FuzzExecutions prints how many inputs the round ran.
    executions=$(grep -o "fuzz executions: $class [0-9]*" "$output" | tail -1 | awk '{print $NF}' || true)
    echo "fuzz: $class round $round: ${executions:-?} executions"
    total=$((total + ${executions:-0}))
  done
  corpus=$(find "$module/.cifuzz-corpus" -type f 2>/dev/null | wc -l)
  echo "fuzz: $class: $rounds round(s) of $seconds s passed; $total executions; corpus $corpus inputs"
done
