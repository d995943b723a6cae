#!/usr/bin/env bash
# Measures CI's cold run: .ci/run on a fresh clone of HEAD with every cache the build fills empty, as on a fresh
# machine: Fairlead's own ($FAIRLEAD_CACHE_DIR: the tools it builds, the images, the node, the previous build),
# Maven's (the wrapper's Maven and the local repository), Go's (modules and build cache) and pip's. Debian packages are
# the exception: apt installs them system-wide, and those already installed here stay installed.
#
#   scripts/ci-cold.sh           prints "cold CI: .ci/run exited S after N s" last, and each step's own time above it
#   KEEP=1 scripts/ci-cold.sh    keeps the temporary directory (its path is printed first) for a look at its logs
#
# Everything lands under one temporary directory, removed at the end unless KEEP=1. Run it on an otherwise idle
# machine: the figure is what CI's 90 minutes must hold.
set -uo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
root=$(mktemp -d "${TMPDIR:-/tmp}/fairlead-cold.XXXXXX")
echo "cold CI: in $root, at $(git -C "$repo" rev-parse --short HEAD)"
if [ "${KEEP:-0}" != 1 ]; then
  trap 'rm -rf "$root"' EXIT
fi
git clone -q "$repo" "$root/repo" || exit 1
export FAIRLEAD_CACHE_DIR=$root/cache
export MAVEN_USER_HOME=$root/m2
export MAVEN_ARGS="-Dmaven.repo.local=$root/m2/repository"
export GOPATH=$root/go GOMODCACHE=$root/go/mod GOCACHE=$root/go/build
export PIP_CACHE_DIR=$root/pip
start=$(date +%s)
(cd "$root/repo" && CI=true bash .ci/run)
status=$?
echo "cold CI: .ci/run exited $status after $(( $(date +%s) - start )) s"
exit $status
