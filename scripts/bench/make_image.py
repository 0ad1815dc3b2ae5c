#!/usr/bin/env python3
"""Wrap one compressed layer blob into a single-layer image archive, without a docker daemon.

docker-archive: what `docker save` writes (Docker >= 25 layout): manifest.json with Config,
RepoTags and Layers naming `blobs/sha256/<hex>` entries, the config JSON blob whose
rootfs.diff_ids holds the sha256 of the *uncompressed* layer tar, and the layer blob itself.
oci-archive: a tar of an OCI image layout (oci-layout, index.json, manifest, config, layer),
with the layer's media type saying gzip or zstd.

Usage: make_image.py KIND TAR BLOB COMPRESSION OUT TAG
  KIND         docker-archive | oci-archive
  TAR          the uncompressed layer tar (for the diff_id)
  BLOB         the same tar compressed (gzip or zstd), stored as the layer
  COMPRESSION  gzip | zstd (the OCI media type; binsight itself goes by the magic bytes)
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tarfile


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def add_bytes(t: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0
    t.addfile(info, io.BytesIO(data))


def add_dir(t: tarfile.TarFile, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
    t.addfile(info)


def main() -> int:
    kind, layer_tar, blob, compression, out, tag = sys.argv[1:7]
    diff_id = "sha256:" + sha256_file(layer_tar)
    blob_hex = sha256_file(blob)
    blob_size = os.path.getsize(blob)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["/bin/bash"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "debootstrap --variant=minbase + binsight corpus (scripts/bench)"}],
    }, sort_keys=True).encode()
    cfg_hex = hashlib.sha256(config).hexdigest()
    tmp = out + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as t:
        add_dir(t, "blobs")
        add_dir(t, "blobs/sha256")
        add_bytes(t, f"blobs/sha256/{cfg_hex}", config)
        t.add(blob, arcname=f"blobs/sha256/{blob_hex}", recursive=False)
        if kind == "docker-archive":
            manifest = [{"Config": f"blobs/sha256/{cfg_hex}", "RepoTags": [tag],
                         "Layers": [f"blobs/sha256/{blob_hex}"]}]
            add_bytes(t, "manifest.json", json.dumps(manifest).encode())
        elif kind == "oci-archive":
            media = {"gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
                     "zstd": "application/vnd.oci.image.layer.v1.tar+zstd"}[compression]
            m = json.dumps({
                "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": f"sha256:{cfg_hex}", "size": len(config)},
                "layers": [{"mediaType": media, "digest": f"sha256:{blob_hex}", "size": blob_size}],
            }).encode()
            m_hex = hashlib.sha256(m).hexdigest()
            add_bytes(t, f"blobs/sha256/{m_hex}", m)
            index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                     "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                    "digest": f"sha256:{m_hex}", "size": len(m),
                                    "platform": {"architecture": "amd64", "os": "linux"},
                                    "annotations": {"org.opencontainers.image.ref.name": tag}}]}
            add_bytes(t, "index.json", json.dumps(index).encode())
            add_bytes(t, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        else:
            print(f"make_image.py: unknown kind {kind}", file=sys.stderr)
            return 2
    os.replace(tmp, out)
    print(json.dumps({"image": out, "kind": kind, "diff_id": diff_id, "layer": f"sha256:{blob_hex}",
                      "layer_bytes": blob_size, "compression": compression}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
