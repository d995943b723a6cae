#!/usr/bin/env bash
# Writes Fairlead's container image: three layers over nothing,
#   1. glibc, libstdc++, zlib (Debian packages) and /etc/passwd with the unprivileged user 65532
#   2. a JRE jlinked from the build's JDK, at /opt/java
#   3. the fairlead jar, at /opt/fairlead/fairlead.jar
# both first ones from provisioning (scripts/provision-node.sh), so they are shared with the Envoy image and
# change only when the Debian packages or the JDK do. It runs as 65532 and writes nothing outside /tmp, so it
# works with a read-only root filesystem (the chart mounts an emptyDir at /tmp).
#
# Usage: fairlead-image.sh <fairlead.jar> <image name:tag> <out.tar>
set -euo pipefail
jar=$1 name=$2 out=$3
CACHE=${FAIRLEAD_CACHE_DIR:-$HOME/.cache/fairlead}
base=$(sed -n 's/^image\.base=//p' "$CACHE/tools.properties" 2>/dev/null || true)
if [ -z "$base" ] || [ ! -d "$base/glibc" ]; then
  reason=$(sed -n 's/^node\.unavailable=//p' "$CACHE/tools.properties" 2>/dev/null || true)
  echo "fairlead-image: not built: no image base in $CACHE/tools.properties (${reason:-run scripts/provision.sh})" >&2
  rm -f "$out"
  exit 0
fi
[ -f "$jar" ] || { echo "fairlead-image: $jar does not exist (build the app module first)" >&2; exit 1; }
app=$(dirname "$out")/image-app
rm -rf "$app"
mkdir -p "$app/opt/fairlead"
cp "$jar" "$app/opt/fairlead/fairlead.jar"
chmod 644 "$app/opt/fairlead/fairlead.jar"
start=$(date +%s)
python3 "$(dirname "$0")/oci-image.py" --name "$name" --out "$out" \
  --layer "$base/glibc" --layer "$base/jre" --layer "$app" \
  --user 65532:65532 --env PATH=/opt/java/bin:/usr/bin:/bin --env JAVA_HOME=/opt/java \
  --entrypoint=/opt/java/bin/java --entrypoint=-XX:-UsePerfData --entrypoint=-XX:+ExitOnOutOfMemoryError \
  --entrypoint=-jar --entrypoint=/opt/fairlead/fairlead.jar
echo "fairlead-image: written in $(( $(date +%s) - start ))s"
