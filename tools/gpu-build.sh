#!/usr/bin/env bash
# Builds snilab's engine and snilab-cli on a GPU box (no Qt, no OpenCV) against
# the LibTorch inside a pip-installed torch, taking libpcap, SQLite, libpsl,
# zlib and zstd from Debian packages unpacked into a folder when the box lacks
# them (no root needed). See README.md "Building on a GPU box".
#
#   bash tools/gpu-build.sh [BUILD_DIR]        (default build-gpu)
#
# Environment:
#   PYTHON=python3            the Python whose torch to use
#   SNILAB_TORCH_PREFIX=DIR   LibTorch's CMake prefix instead of asking Python
#   SNILAB_DEBS=DIR           folder of .deb files to unpack (default
#                             BUILD_DIR/debs; downloaded with `apt-get download`
#                             when empty and apt-get is there - on a box without
#                             network, fill it elsewhere with the same command)
#   SNILAB_FORCE_DEBS=1       use the unpacked packages even if pkg-config
#                             finds the libraries on the box
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-build-gpu}")
python=${PYTHON:-python3}
mkdir -p "$build"

prefix=${SNILAB_TORCH_PREFIX:-$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')}
echo "== LibTorch CMake prefix: $prefix"

modules=(libpcap sqlite3 libpsl zlib libzstd libcrypto)
# The Debian 12 packages behind those pkg-config modules (and what their .pc
# files require: libpcap's Requires.private names dbus-1).
debs=(libpcap0.8-dev libpcap0.8 libdbus-1-dev libdbus-1-3 libsqlite3-dev libsqlite3-0
  libpsl-dev libpsl5 zlib1g-dev zlib1g libzstd-dev libzstd1 libssl-dev libssl3)

missing=0
for m in "${modules[@]}"; do
  pkg-config --exists "$m" 2>/dev/null || missing=1
done
if [ "$missing" = 1 ] || [ "${SNILAB_FORCE_DEBS:-0}" = 1 ]; then
  debdir=$(realpath -m "${SNILAB_DEBS:-$build/debs}")
  sysroot="$build/sysroot"
  mkdir -p "$debdir" "$sysroot"
  if ! ls "$debdir"/*.deb >/dev/null 2>&1; then
    command -v apt-get >/dev/null || { echo "no .deb files in $debdir and no apt-get" >&2; exit 1; }
    echo "== downloading ${debs[*]} into $debdir"
    (cd "$debdir" && apt-get download "${debs[@]}" >/dev/null)
  fi
  echo "== unpacking $(ls "$debdir"/*.deb | wc -l) packages into $sysroot"
  for d in "$debdir"/*.deb; do
    if command -v dpkg-deb >/dev/null; then
      dpkg-deb -x "$d" "$sysroot"
    else # ar + tar: a .deb is an ar archive holding data.tar.*
      tmp=$(mktemp -d)
      (cd "$tmp" && ar x "$d" && tar -xf data.tar.* -C "$sysroot")
      rm -rf "$tmp"
    fi
  done
  # Point the .pc files at the unpacked tree.
  for pc in "$sysroot"/usr/lib/*/pkgconfig/*.pc "$sysroot"/usr/share/pkgconfig/*.pc; do
    [ -f "$pc" ] && sed -i "s|^prefix=.*|prefix=$sysroot/usr|" "$pc"
  done
  # Debian's -dev packages link libX.so to the runtime library by an absolute
  # path; make those links relative so they resolve inside the sysroot.
  find "$sysroot" -type l -lname '/*' | while read -r link; do
    ln -sfn "$sysroot$(readlink "$link")" "$link"
  done
  export PKG_CONFIG_PATH="$(ls -d "$sysroot"/usr/lib/*/pkgconfig | tr '\n' ':')$sysroot/usr/share/pkgconfig"
  export PKG_CONFIG_SYSTEM_LIBRARY_PATH=/nonexistent # keep -L for the sysroot
fi

echo "== configuring $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DSNILAB_BUILD_UI=OFF -DSNILAB_WITH_OPENCV=OFF -DSNILAB_BUILD_TESTS=OFF
echo "== building snilab-cli"
cmake --build "$build" -j"$(nproc)" --target snilab-cli
OMP_WAIT_POLICY=PASSIVE "$build/app/cli/snilab-cli" --version
