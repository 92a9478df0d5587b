#!/usr/bin/env bash
# The base image: Debian bookworm made by debootstrap from the Debian mirror this machine's apt
# uses (read from its sources, so no address is written here), imported into podman. Nothing is
# pulled from a registry. The image is labelled with this script's hash (spine.base), so that
# deploy/images/build.sh makes it again when the script changes. Usage: base.sh IMAGE WORKDIR
set -euo pipefail
image=$1 work=$2
release=bookworm
# What the Python interpreter copied into the images links against (deploy/images/Containerfile).
packages=ca-certificates,libbz2-1.0,libexpat1,libffi8,libgssapi-krb5-2,liblzma5,libncursesw6,libnsl2,libreadline8,libsqlite3-0,libssl3,libtirpc3,libuuid1,zlib1g

mirror=$(
  { cat /etc/apt/sources.list.d/*.sources 2>/dev/null; echo; } |
    awk -v release="$release" 'BEGIN { RS = ""; FS = "\n" }
      { uri = ""; ok = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { split($i, w, " "); uri = w[2] }
          if ($i ~ /^Suites:/ && (" " $i " ") ~ (" " release " ")) ok = 1 }
        if (ok && uri != "") { print uri; exit } }'
)
[ -n "$mirror" ] || mirror=$(awk -v release="$release" '$1 == "deb" && $0 ~ (" " release " ") { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
  /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -1)
[ -n "$mirror" ] || { echo "No Debian $release mirror in /etc/apt/sources.list*: add one (apt's own sources) and run again." >&2; exit 1; }

rootfs=$work/rootfs
rm -rf "$rootfs" && mkdir -p "$work"
debootstrap --variant=minbase --include="$packages" "$release" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" --numeric-owner -c . |
  podman import --quiet --change "LABEL spine.base=$(sha256sum "$0" | cut -c1-16)" --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$image" >/dev/null
rm -rf "$rootfs"
echo "$image: Debian $release from $mirror"
