#!/usr/bin/env python3
"""Writes a container image archive from plain directories, with no container engine and no registry.

Each --layer DIR becomes one layer holding DIR's tree at the image's root. The archive is at once an OCI
image layout (oci-layout, index.json, blobs/sha256/...) and a `docker save` archive (manifest.json naming the
same blobs), so `ctr images import`, `k3s ctr images import`, `kind load image-archive` and `docker load`
all accept it.

Same inputs, same bytes: entries are sorted, every time stamp is 0, owners are root (uid/gid 0, no names),
file modes and symbolic links are kept as they are on disk, layers stay uncompressed (so no compressor's
version leaks into a digest), and JSON is written with sorted keys. The image's digest (of its manifest)
therefore depends only on the files' contents, modes and paths and on the options given here.

Why not Jib or umoci: Jib's extra directories turn symbolic links into copies and reset file modes, and the
base (glibc and a JRE) is not a Java artifact; umoci records the wall clock in history entries and needs an
unpack/repack round trip per layer. This writer is the few lines that the archive formats need.

Usage:
  oci-image.py --name fairlead.dev/fairlead:0.1.0 --out image.tar --layer base/ --layer app/ \
      --user 65532:65532 --entrypoint /opt/java/bin/java --entrypoint -jar ... [--env K=V] [--workdir /]
Prints the image's digest and sizes on one line.
"""
import argparse
import hashlib
import io
import json
import os
import stat
import sys
import tarfile
import tempfile

EPOCH = "1970-01-01T00:00:00Z"


def layer_entries(root):
    """Every path under root, parents before children, in byte order of their relative paths."""
    paths = []
    for directory, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            full = os.path.join(directory, name)
            paths.append(os.path.relpath(full, root))
    return sorted(paths, key=lambda p: p.encode())


def tar_info(root, relative):
    full = os.path.join(root, relative)
    st = os.lstat(full)
    info = tarfile.TarInfo(relative)
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        info.type = tarfile.SYMTYPE
        info.linkname = os.readlink(full)
    elif stat.S_ISDIR(st.st_mode):
        info.type = tarfile.DIRTYPE
    elif stat.S_ISREG(st.st_mode):
        info.type = tarfile.REGTYPE
        info.size = st.st_size
    else:
        raise SystemExit(f"oci-image: {full} is neither a file, a directory nor a symbolic link")
    return info


class Digesting(io.RawIOBase):
    """A write-only file that hashes and counts what passes through to the file it wraps."""

    def __init__(self, target):
        self.target = target
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self):
        return True

    def write(self, data):
        self.target.write(data)
        self.sha.update(data)
        self.size += len(data)
        return len(data)


def write_layer(root, into):
    """Writes root's tree as an uncompressed tar into the open file `into`; returns (sha256 hex, size)."""
    digesting = Digesting(into)
    with tarfile.open(fileobj=digesting, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for relative in layer_entries(root):
            info = tar_info(root, relative)
            if info.type == tarfile.REGTYPE:
                with open(os.path.join(root, relative), "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    return digesting.sha.hexdigest(), digesting.size


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def main():
    parser = argparse.ArgumentParser(description="Write a reproducible OCI/docker image archive from directories.")
    parser.add_argument("--name", required=True, help="full reference, e.g. fairlead.dev/fairlead:0.1.0")
    parser.add_argument("--out", required=True)
    parser.add_argument("--layer", action="append", required=True, help="a directory; one layer each, in order")
    parser.add_argument("--user", default="")
    parser.add_argument("--entrypoint", action="append", default=[])
    parser.add_argument("--cmd", action="append", default=[])
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("--workdir", default="/")
    args = parser.parse_args()

    if ":" not in args.name.rsplit("/", 1)[-1]:
        raise SystemExit(f"oci-image: --name {args.name} has no tag")
    for layer in args.layer:
        if not os.path.isdir(layer):
            raise SystemExit(f"oci-image: layer directory {layer} does not exist")

    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as work:
        layers = []
        for i, layer in enumerate(args.layer):
            path = os.path.join(work, f"layer{i}")
            with open(path, "wb") as f:
                digest, size = write_layer(layer, f)
            layers.append((path, digest, size))

        config = {
            "architecture": "amd64",
            "os": "linux",
            "created": EPOCH,
            "config": {
                "User": args.user,
                "Env": args.env,
                "Entrypoint": args.entrypoint or None,
                "Cmd": args.cmd or None,
                "WorkingDir": args.workdir,
            },
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for _, d, _ in layers]},
            "history": [{"created": EPOCH, "created_by": "scripts/oci-image.py --layer " + os.path.basename(
                os.path.normpath(layer))} for layer in args.layer],
        }
        config_bytes = canonical(config)
        config_digest = hashlib.sha256(config_bytes).hexdigest()
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": "sha256:" + config_digest, "size": len(config_bytes)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + d,
                        "size": s} for _, d, s in layers],
        }
        manifest_bytes = canonical(manifest)
        manifest_digest = hashlib.sha256(manifest_bytes).hexdigest()
        tag = args.name.rsplit(":", 1)[1]
        index = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "digest": "sha256:" + manifest_digest, "size": len(manifest_bytes),
                           "annotations": {"io.containerd.image.name": args.name,
                                           "org.opencontainers.image.ref.name": tag}}],
        }
        docker_manifest = [{"Config": "blobs/sha256/" + config_digest, "RepoTags": [args.name],
                            "Layers": ["blobs/sha256/" + d for _, d, _ in layers]}]

        partial = args.out + ".partial"
        with open(partial, "wb") as f, tarfile.open(fileobj=f, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for directory in ("blobs", "blobs/sha256"):
                info = tarfile.TarInfo(directory)
                info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
                tar.addfile(info)
            blobs = {d: p for p, d, _ in layers}
            for digest in sorted(blobs):
                info = tarfile.TarInfo("blobs/sha256/" + digest)
                info.size, info.mode, info.mtime = os.path.getsize(blobs[digest]), 0o644, 0
                with open(blobs[digest], "rb") as blob:
                    tar.addfile(info, blob)
            add_bytes(tar, "blobs/sha256/" + config_digest, config_bytes)
            add_bytes(tar, "blobs/sha256/" + manifest_digest, manifest_bytes)
            add_bytes(tar, "index.json", canonical(index))
            add_bytes(tar, "manifest.json", canonical(docker_manifest))
            add_bytes(tar, "oci-layout", canonical({"imageLayoutVersion": "1.0.0"}))
        os.replace(partial, args.out)

    total = sum(s for _, _, s in layers)
    print(f"oci-image: {args.name} sha256:{manifest_digest} ({len(layers)} layers, {total // (1024 * 1024)} MiB) "
          f"-> {args.out}")


if __name__ == "__main__":
    sys.exit(main())
