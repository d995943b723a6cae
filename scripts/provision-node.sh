# Sourced by scripts/provision.sh (it defines fail, need, wrapper_module, stamped, stamp, $CACHE, $LOGS): the parts of the
# real Kubernetes node that testkit's RealCluster runs, and the base that container images are built on.
#   containerd, runc, CNI plugins, iptables, conntrack   Debian packages (apt-get install, only what is missing)
#   pause image                                          Debian catatonit (static; waits for signals, reaps)
#   image base                                           glibc, libstdc++ and zlib from Debian packages (.debs
#                                                        unpacked, no maintainer scripts) and a JRE jlinked from
#                                                        the JDK that runs the build
#   CoreDNS                                              built with the Go toolchain from github.com/coredns/coredns
#   test images                                          pause, CoreDNS, Envoy and an HTTP backend (busybox-static)
# kubelet, kube-controller-manager, kube-scheduler and kube-proxy are built with kube-apiserver (provision.sh).
#
# Images are written by scripts/oci-image.py: no container engine, no registry, same inputs, same digest.

COREDNS_VERSION=1.14.7      # github.com/coredns/coredns; its go.mod asks for Go 1.25
NODE_PACKAGES="containerd runc containernetworking-plugins iptables conntrack catatonit busybox-static"
BASE_PACKAGES="libc6 libgcc-s1 libstdc++6 zlib1g"
# What Fairlead's dependencies need of the JDK (jdeps over app/target/fairlead.jar, plus the TLS providers
# and JMX that are only reached by reflection or service loading).
JRE_MODULES=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,java.desktop,jdk.crypto.ec,jdk.unsupported,jdk.management,jdk.naming.dns,java.security.jgss,java.instrument

NODE_IMAGES=$CACHE/node/images
COREDNS_DIR=$CACHE/coredns/v$COREDNS_VERSION
IMAGE_BASE=$CACHE/image-base
OCI_IMAGE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/oci-image.py"

# Empty when this machine can run the node; otherwise the reason, which RealCluster's suites print when
# they skip.
node_unavailable() {
  if [ "$(id -u)" != 0 ]; then echo "the real node needs root (containerd, runc, network namespaces)"; return; fi
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    echo "the real node's containerd, runc and CNI plugins come from Debian packages, and apt-get is not here"
    return
  fi
  if ! grep -qw overlay /proc/filesystems && ! modprobe -q overlay 2>/dev/null; then
    echo "the kernel has no overlay filesystem (containerd's snapshotter needs it)"; return
  fi
}

apt_updated=""
apt_update_once() { # log
  if [ -z "$apt_updated" ]; then
    apt-get update >>"$1" 2>&1 || fail apt-get "" "$1" "apt-get update failed"
    apt_updated=1
  fi
}

apt_install_missing() { # log packages...
  local log=$1 missing="" p
  shift
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  echo "provision: installing Debian packages:$missing"
  apt_update_once "$log"
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >>"$log" 2>&1 ||
    fail apt-get "" "$log" "cannot install$missing"
}

provision_node_packages() {
  local log=$LOGS/node-packages.log
  : >"$log"
  apt_install_missing "$log" $NODE_PACKAGES
}

provision_coredns() {
  if stamped "$COREDNS_DIR" "$COREDNS_VERSION" && [ -x "$COREDNS_DIR/coredns" ]; then return; fi
  need go coredns "v$COREDNS_VERSION"
  local build=$CACHE/build/coredns-$COREDNS_VERSION log=$LOGS/coredns-$COREDNS_VERSION.log
  mkdir -p "$build" "$COREDNS_DIR"
  : >"$log"
  echo "provision: building CoreDNS v$COREDNS_VERSION from github.com/coredns/coredns (minutes on 2 cores when cold)"
  (
    cd "$build"
    wrapper_module coredns "github.com/coredns/coredns@v$COREDNS_VERSION"
    GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$COREDNS_DIR/coredns" github.com/coredns/coredns
    "$COREDNS_DIR/coredns" -version
  ) >>"$log" 2>&1 || fail coredns "v$COREDNS_VERSION" "$log" ""
  stamp "$COREDNS_DIR" "$COREDNS_VERSION"
}

# The layers every image here starts from: $IMAGE_BASE/<key>/glibc (the C and C++ runtime, /etc/passwd with the
# unprivileged user 65532, /tmp) and $IMAGE_BASE/<key>/jre. The key names the Debian package versions and the JDK.
# Sets $versions (package=version of each base package, as apt's lists name them) and $IMAGE_BASE_DIR.
image_base_dir() { # java-home
  local p
  versions=""
  for p in $BASE_PACKAGES; do
    versions="$versions $p=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')"
  done
  IMAGE_BASE_DIR=$IMAGE_BASE/$(printf '%s %s %s' "$versions" "$("$1/bin/java" -version 2>&1 | tr '\n' ' ')" \
    "$JRE_MODULES" | sha256sum | cut -c1-16)
}

provision_image_base() {
  local log=$LOGS/image-base.log java_home versions
  : >"$log"
  java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
  [ -x "$java_home/bin/jlink" ] && [ -d "$java_home/jmods" ] ||
    fail jlink "" "" "no jlink and jmods under $java_home (set JAVA_HOME to a full JDK 17 or newer)"
  image_base_dir "$java_home"
  if stamped "$IMAGE_BASE_DIR" "$versions $JRE_MODULES"; then return; fi
  # Lists of a fresh machine (or old ones) may name versions the archive no longer serves.
  apt_update_once "$log"
  image_base_dir "$java_home"
  if stamped "$IMAGE_BASE_DIR" "$versions $JRE_MODULES"; then return; fi
  echo "provision: assembling the image base (Debian:$versions; JRE jlinked from $java_home)"
  (
    rm -rf "$IMAGE_BASE_DIR"
    mkdir -p "$IMAGE_BASE_DIR/debs" "$IMAGE_BASE_DIR/glibc"
    cd "$IMAGE_BASE_DIR/debs"
    # shellcheck disable=SC2086
    apt-get download $(echo $versions)
    for deb in *.deb; do dpkg-deb -x "$deb" ../glibc; done
    cd ../glibc
    rm -rf usr/share etc/ld.so.conf.d usr/lib/x86_64-linux-gnu/gconv usr/libexec sbin usr/bin usr/sbin
    mkdir -p etc tmp
    chmod 1777 tmp
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >etc/passwd
    printf 'root:x:0:\nnonroot:x:65532:\n' >etc/group
    printf 'hosts: files dns\n' >etc/nsswitch.conf
    "$java_home/bin/jlink" --add-modules "$JRE_MODULES" --strip-debug --no-man-pages --no-header-files \
      --compress=2 --output "$IMAGE_BASE_DIR/jre/opt/java"
    "$IMAGE_BASE_DIR/jre/opt/java/bin/java" -version
  ) >>"$log" 2>&1 || fail image-base "" "$log" ""
  stamp "$IMAGE_BASE_DIR" "$versions $JRE_MODULES"
}

# pause, CoreDNS, Envoy and backend images for the node; Fairlead's own image is built by the Maven build
# (module image/) on the same base.
provision_node_images() { # envoy-binary
  local want="pause catatonit; coredns $COREDNS_VERSION; envoy $ENVOY_VERSION; base $IMAGE_BASE_DIR; $(sha256sum "$OCI_IMAGE" | cut -c1-16)"
  if stamped "$NODE_IMAGES" "$want"; then return; fi
  local log=$LOGS/node-images.log work=$CACHE/build/node-images
  : >"$log"
  echo "provision: writing the node's images (pause, CoreDNS, Envoy, backend)"
  (
    rm -rf "$work" "$NODE_IMAGES"
    mkdir -p "$work/pause/bin" "$work/coredns/bin" "$work/envoy/usr/local/bin" "$work/backend/bin" \
      "$work/backend/www/cgi-bin" "$NODE_IMAGES"
    cp /usr/bin/catatonit "$work/pause/bin/catatonit"
    python3 "$OCI_IMAGE" --name fairlead.dev/pause:catatonit --out "$NODE_IMAGES/pause.tar" \
      --layer "$work/pause" --user 65535:65535 --entrypoint=/bin/catatonit --entrypoint=-P
    cp "$COREDNS_DIR/coredns" "$work/coredns/bin/coredns"
    python3 "$OCI_IMAGE" --name "fairlead.dev/coredns:$COREDNS_VERSION" --out "$NODE_IMAGES/coredns.tar" \
      --layer "$work/coredns" --user 65532:65532 --entrypoint=/bin/coredns
    cp "$1" "$work/envoy/usr/local/bin/envoy"
    python3 "$OCI_IMAGE" --name "fairlead.dev/envoy:$ENVOY_VERSION" --out "$NODE_IMAGES/envoy.tar" \
      --layer "$IMAGE_BASE_DIR/glibc" --layer "$work/envoy" --user 65532:65532 \
      --entrypoint=/usr/local/bin/envoy
    # An HTTP backend that answers every GET of /cgi-bin/pod with its pod's name (the hostname).
    cp /bin/busybox "$work/backend/bin/busybox"
    ln -s busybox "$work/backend/bin/sh"
    printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\nexec /bin/busybox hostname\n' \
      >"$work/backend/www/cgi-bin/pod"
    chmod 755 "$work/backend/www/cgi-bin/pod"
    printf 'backend\n' >"$work/backend/www/index.html"
    python3 "$OCI_IMAGE" --name fairlead.dev/backend:busybox --out "$NODE_IMAGES/backend.tar" \
      --layer "$work/backend" --user 65532:65532 \
      --entrypoint=/bin/busybox --entrypoint=httpd --entrypoint=-f --entrypoint=-p --entrypoint=8080 \
      --entrypoint=-h --entrypoint=/www
  ) >>"$log" 2>&1 || fail node-images "" "$log" ""
  stamp "$NODE_IMAGES" "$want"
}
