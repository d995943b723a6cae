# Sourced by scripts/provision.sh (it defines fail, need, wrapper_module, stamped, stamp, $CACHE, $LOGS,
# $GATEWAY_API_VERSION, and provision-node.sh's $COREDNS_DIR and $OCI_IMAGE): what the official
# Gateway API conformance suite needs, at exactly the Gateway API version Fairlead pins.
#   conformance.test   `go test -c` of sigs.k8s.io/gateway-api/conformance (a Go module of its own since v1.5), unmodified
#   echo-basic images  sigs.k8s.io/gateway-api/conformance/echo-basic built static (alone in its image), written by
#                      oci-image.py under each name and tag the suite's base manifests (base/manifests.yaml of that
#                      module) give it (v1.6.3's name v1.5.1 for most backends and v1.6.0-dev.3 for the one retry
#                      tests use: the release's own echo-basic serves both)
#   CoreDNS image      the CoreDNS provision-node.sh builds, under the name those manifests use; only UDPRoute tests
#                      talk to it, but the suite's setup waits for its pod to be Ready
# Each image is an archive of its own in $CONFORMANCE_DIR/images, all imported into the node.
# The node reaches no registry, so the images' names are the whole contract: pods find them by exact name.

CONFORMANCE_DIR=$CACHE/conformance/v$GATEWAY_API_VERSION
CONFORMANCE_SCRIPT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/provision-conformance.sh"

# The names (with tags) of the images the suite's base manifests use, read from them (image: lines matching $2), one
# a line.
conformance_image_names() { # manifests pattern
  sed -n "s|^ *image: *\($2\)\$|\1|p" "$1" | sort -u
}

provision_conformance() {
  # This script and oci-image.py decide what is written, so a change of either provisions again.
  local want
  want="gateway-api $GATEWAY_API_VERSION; coredns $COREDNS_VERSION; $(cat "$OCI_IMAGE" "$CONFORMANCE_SCRIPT" |
    sha256sum | cut -c1-16)"
  if stamped "$CONFORMANCE_DIR" "$want" && [ -x "$CONFORMANCE_DIR/conformance.test" ]; then return; fi
  need go conformance "v$GATEWAY_API_VERSION"
  local build=$CACHE/build/conformance-$GATEWAY_API_VERSION log=$LOGS/conformance-$GATEWAY_API_VERSION.log
  local started
  started=$(date +%s)
  mkdir -p "$build" "$CONFORMANCE_DIR"
  : >"$log"
  echo "provision: building the Gateway API v$GATEWAY_API_VERSION conformance suite and its images (minutes on 2 cores when cold)"
  (
    rm -rf "$build/layers" "$CONFORMANCE_DIR/images"
    mkdir -p "$build/layers/echo-basic/tmp" "$build/layers/coredns/bin" "$CONFORMANCE_DIR/images"
    cd "$build"
    # A wrapper module requiring the conformance module and gateway-api at the same version: the conformance module
    # takes gateway-api from its own repository (replace => ../, which a dependency's go.mod cannot do), so the
    # wrapper names the release; otherwise it resolves exactly the release's own requirements, and both programs
    # build as the release has them.
    wrapper_module conformance "sigs.k8s.io/gateway-api/conformance@v$GATEWAY_API_VERSION" \
      "sigs.k8s.io/gateway-api@v$GATEWAY_API_VERSION"
    GOFLAGS=-mod=mod CGO_ENABLED=0 go test -c -trimpath -o "$CONFORMANCE_DIR/conformance.test" \
      sigs.k8s.io/gateway-api/conformance
    GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$build/layers/echo-basic/echo-basic" \
      sigs.k8s.io/gateway-api/conformance/echo-basic
    local dir manifests echoes echo coredns
    dir=$(GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' sigs.k8s.io/gateway-api/conformance)
    manifests=$CONFORMANCE_DIR/base-manifests.yaml
    cp "$dir/base/manifests.yaml" "$manifests"
    chmod u+w "$manifests"
    echoes=$(conformance_image_names "$manifests" '.*/echo-basic:.*')
    coredns=$(conformance_image_names "$manifests" '.*coredns.*' | head -n 1)
    [ -n "$echoes" ] && [ -n "$coredns" ] || { echo "no echo-basic or coredns image in $manifests"; exit 1; }
    # A name without a registry is Docker Hub's, and one without a tag is :latest (as the kubelet reads it).
    case "${coredns%%/*}" in *.*|*:*|localhost) ;; *) coredns=docker.io/$coredns ;; esac
    case "${coredns##*/}" in *:*) ;; *) coredns=$coredns:latest ;; esac
    chmod 1777 "$build/layers/echo-basic/tmp"
    for echo in $echoes; do
      python3 "$OCI_IMAGE" --name "$echo" --out "$CONFORMANCE_DIR/images/echo-basic-${echo##*:}.tar" \
        --layer "$build/layers/echo-basic" --user 65532:65532 \
        --entrypoint=/echo-basic
      printf 'echo-basic=%s\n' "$echo" >>"$CONFORMANCE_DIR/images/names"
    done
    # Root, as the pod asks for NET_BIND_SERVICE (port 53), which a non-root user only gets as ambient.
    cp "$COREDNS_DIR/coredns" "$build/layers/coredns/bin/coredns"
    python3 "$OCI_IMAGE" --name "$coredns" --out "$CONFORMANCE_DIR/images/coredns.tar" \
      --layer "$build/layers/coredns" --user 0:0 --entrypoint=/bin/coredns
    printf 'coredns=%s\n' "$coredns" >>"$CONFORMANCE_DIR/images/names"
    "$CONFORMANCE_DIR/conformance.test" -test.list '.*'
  ) >>"$log" 2>&1 || fail conformance "v$GATEWAY_API_VERSION" "$log" ""
  echo "provision: conformance suite v$GATEWAY_API_VERSION ready in $(( $(date +%s) - started ))s" | tee -a "$log"
  stamp "$CONFORMANCE_DIR" "$want"
}
