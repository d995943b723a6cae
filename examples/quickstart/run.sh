#!/usr/bin/env bash
# The quickstart in one command: builds Fairlead if it is not built, gets an Envoy (`scripts/provision.sh envoy`,
# or $ENVOY), starts two backends (blue on 127.0.0.1:8081, green on 127.0.0.1:8082), Fairlead in standalone mode
# serving examples/quickstart/config over xDS on 127.0.0.1:18000, and an Envoy bootstrapped to it listening on
# 127.0.0.1:10000; then shows traffic through Envoy. Everything binds to loopback and stops with this script.
#
#   examples/quickstart/run.sh           show traffic, then keep serving until Ctrl-C (edit the config meanwhile)
#   examples/quickstart/run.sh --check   show traffic and stop (what the test suite runs)
set -euo pipefail
cd "$(dirname "$0")/../.."

check=false
[ "${1:-}" = "--check" ] && check=true
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -f app/target/fairlead.jar ] || [ -n "$(find . -path ./.git -prune -o -name '*.java' -newer app/target/fairlead.jar -print -quit)" ]; then
  ./mvnw -q -DskipTests package
fi
envoy=${ENVOY:-$(bash scripts/provision.sh envoy | tail -n 1)}

for color in blue green; do
  mkdir -p "$work/$color/$color"
  echo "$color" | tee "$work/$color/index.html" >"$work/$color/$color/index.html"
done
python3 -m http.server 8081 --bind 127.0.0.1 --directory "$work/blue" >"$work/blue.log" 2>&1 &
pids+=($!)
python3 -m http.server 8082 --bind 127.0.0.1 --directory "$work/green" >"$work/green.log" 2>&1 &
pids+=($!)
java -jar app/target/fairlead.jar run --config-dir examples/quickstart/config --xds-plaintext \
  >"$work/fairlead.log" 2>&1 &
pids+=($!)
"$envoy" -c examples/quickstart/envoy.yaml --disable-hot-restart --log-level warn >"$work/envoy.log" 2>&1 &
pids+=($!)

# Envoy answers once Fairlead has sent it the listener and routes, and the backends listen.
for _ in $(seq 1 120); do
  if [ "$(curl -s 127.0.0.1:10000/blue/ 2>/dev/null)" = blue ] &&
     [ "$(curl -s 127.0.0.1:10000/green/ 2>/dev/null)" = green ]; then
    break
  fi
  sleep 0.5
done

status=0
for path in /blue/ /green/ / / / / /; do
  answer=$(curl -s "127.0.0.1:10000$path" || true)
  echo "curl -s 127.0.0.1:10000$path    # $answer"
  case "$path:$answer" in
    /blue/:blue | /green/:green | /:blue | /:green) ;;
    *) status=1 ;;
  esac
done
if [ "$status" -ne 0 ]; then
  echo "quickstart: Envoy did not serve the example; the logs:" >&2
  tail -n 20 "$work/fairlead.log" "$work/envoy.log" >&2
  exit 1
fi
echo "quickstart: Envoy on 127.0.0.1:10000 serves the example (/blue/, /green/, everything else 80/20)"
if ! $check; then
  echo "quickstart: edit examples/quickstart/config/*.yaml and curl again; Ctrl-C stops everything"
  wait
fi
