# Sourced by scripts/provision.sh (it defines fail, need, wrapper_module, stamped, stamp, $CACHE, $LOGS,
# $GATEWAY_API_VERSION, and provision-node.sh's $COREDNS_DIR and $OCI_IMAGE): what the official
# Gateway API conformance suite needs, at exactly the Gateway API version Fairlead pins.
#   conformance.test   `go test -c` of sigs.k8s.io/gateway-api/conformance, unmodified
#   echo-basic image   sigs.k8s.io/gateway-api/conformance/echo-basic built static (alone in its image), written by oci-image.py under
#                      the name and tag the suite's base manifests (conformance/base/manifests.yaml) give it
#   CoreDNS image      the CoreDNS provision-node.sh builds, under the name those manifests use (coredns/coredns,
#                      that is docker.io/coredns/coredns:latest); only UDPRoute tests talk to it, but the suite's
#                      setup waits for its pod to be Ready
# The node reaches no registry, so the images' names are the whole contract: pods find them by exact name.

CONFORMANCE_DIR=$CACHE/conformance/v$GATEWAY_API_VERSION

# The name and tag of an image the suite's base manifests use, read from them (image: lines matching $2).
conformance_image_name() { # manifests pattern
  sed -n "s|^ *image: *\($2\)\$|\1|p" "$1" | sort -u | head -n 1
}

provision_conformance() {
  local want="gateway-api $GATEWAY_API_VERSION; coredns $COREDNS_VERSION; $(sha256sum "$OCI_IMAGE" | cut -c1-16)"
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
    # A wrapper module requiring only gateway-api resolves exactly its own requirements (it has no replace
    # directives), so both programs build as the release has them.
    wrapper_module conformance "sigs.k8s.io/gateway-api@v$GATEWAY_API_VERSION"
    GOFLAGS=-mod=mod CGO_ENABLED=0 go test -c -trimpath -o "$CONFORMANCE_DIR/conformance.test" \
      sigs.k8s.io/gateway-api/conformance
    GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$build/layers/echo-basic/echo-basic" \
      sigs.k8s.io/gateway-api/conformance/echo-basic
    local dir manifests echo coredns
    dir=$(GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' sigs.k8s.io/gateway-api)
    manifests=$CONFORMANCE_DIR/base-manifests.yaml
    cp "$dir/conformance/base/manifests.yaml" "$manifests"
    chmod u+w "$manifests"
    echo=$(conformance_image_name "$manifests" '.*/echo-basic:.*')
    coredns=$(conformance_image_name "$manifests" '.*coredns.*')
    [ -n "$echo" ] && [ -n "$coredns" ] || { echo "no echo-basic or coredns image in $manifests"; exit 1; }
    # A name without a registry is Docker Hub's, and one without a tag is :latest (as the kubelet reads it).
    case "${coredns%%/*}" in *.*|*:*|localhost) ;; *) coredns=docker.io/$coredns ;; esac
    case "${coredns##*/}" in *:*) ;; *) coredns=$coredns:latest ;; esac
    chmod 1777 "$build/layers/echo-basic/tmp"
    python3 "$OCI_IMAGE" --name "$echo" --out "$CONFORMANCE_DIR/images/echo-basic.tar" \
      --layer "$build/layers/echo-basic" --user 65532:65532 \
      --entrypoint=/echo-basic
    # Root, as the pod asks for NET_BIND_SERVICE (port 53), which a non-root user only gets as ambient.
    cp "$COREDNS_DIR/coredns" "$build/layers/coredns/bin/coredns"
    python3 "$OCI_IMAGE" --name "$coredns" --out "$CONFORMANCE_DIR/images/coredns.tar" \
      --layer "$build/layers/coredns" --user 0:0 --entrypoint=/bin/coredns
    printf 'echo-basic=%s\ncoredns=%s\n' "$echo" "$coredns" >"$CONFORMANCE_DIR/images/names"
    "$CONFORMANCE_DIR/conformance.test" -test.list '.*'
  ) >>"$log" 2>&1 || fail conformance "v$GATEWAY_API_VERSION" "$log" ""
  echo "provision: conformance suite v$GATEWAY_API_VERSION ready in $(( $(date +%s) - started ))s" | tee -a "$log"
  stamp "$CONFORMANCE_DIR" "$want"
}
