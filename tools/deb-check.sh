#!/usr/bin/env bash
# The Debian package as a user gets it: build it with cpack, validate its
# desktop entry and AppStream metainfo, install it with dpkg -i, run the
# installed snilab-cli (--version, ingest, evaluate) and snilab --figures from
# /usr/bin, read the installed man pages, then remove the package again.
#   bash tools/deb-check.sh [BUILD_DIR]      (default build; a configured,
#                                             built tree with the workbench)
# Installing needs root (or sudo); without either the install part is skipped
# with a message. Stage of `bash tools/snilab.sh test`; exit status 0 passed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build_dir=${1:-build}
fail() { echo "deb-check: FAIL: $*" >&2; exit 1; }

app_id=io.github.snilab.snilab
desktop-file-validate "packaging/desktop/$app_id.desktop" || fail "desktop-file-validate"
appstreamcli validate --no-net "packaging/desktop/$app_id.metainfo.xml" || fail "appstreamcli validate"

rm -f "$build_dir"/snilab_*.deb
(cd "$build_dir" && cpack -G DEB >/dev/null) || fail "cpack -G DEB"
deb=$(ls "$build_dir"/snilab_*.deb)
echo "== built $deb ($(du -k "$deb" | cut -f1) KiB)"
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/snilab ./usr/bin/snilab-cli ./usr/lib/snilab/libsnilab_torch.so \
         "./usr/share/applications/$app_id.desktop" "./usr/share/metainfo/$app_id.metainfo.xml" \
         "./usr/share/icons/hicolor/scalable/apps/$app_id.svg" \
         "./usr/share/icons/hicolor/48x48/apps/$app_id.png" \
         ./usr/share/man/man1/snilab.1.gz ./usr/share/man/man1/snilab-cli.1.gz \
         ./usr/share/doc/snilab/README.md; do
  grep -qxF "$f" <<<"$contents" || fail "$deb lacks $f"
done
depends=$(dpkg-deb -f "$deb" Depends)
for d in libqt6widgets6 libqt6charts6 libpcap0.8 libsqlite3-0 libopencv-ml; do
  grep -q "$d" <<<"$depends" || fail "Depends lacks $d: $depends"
done

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then sudo=sudo; else
    echo "deb-check: not root and no sudo: the package was built and checked, not installed"
    exit 0
  fi
fi
if dpkg-query -W -f='${Status}' snilab 2>/dev/null | grep -q "install ok installed"; then
  fail "a snilab package is already installed here; remove it first (dpkg -r snilab)"
fi
echo "== dpkg -i $deb"
$sudo dpkg -i "$deb" >/dev/null
work=$(mktemp -d)
cleanup() { rm -rf "$work"; $sudo dpkg -r snilab >/dev/null 2>&1 || true; }
trap cleanup EXIT
# The installed programs alone: no build tree's module or library paths.
export -n SNILAB_TORCH_MODULE LD_LIBRARY_PATH 2>/dev/null || true
version=$(/usr/bin/snilab-cli --version)
echo "   $version"
grep -q "cnngru-packet" <<<"$version" || fail "installed snilab-cli lists no networks: $version"
/usr/bin/snilab-cli ingest --quiet --catalog "$work/c.sqlite" "$root/resources/samples" >/dev/null
/usr/bin/snilab-cli evaluate --quiet --catalog "$work/c.sqlite" --thresholds 150 --folds 2 \
  --trees 20 --json >"$work/run.json"
run=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["run"])' "$work/run.json")
QT_QPA_PLATFORM=offscreen /usr/bin/snilab --figures --catalog "$work/c.sqlite" --run "$run" \
  --out "$work/figures" >/dev/null
for ext in png svg pdf; do
  ls "$work/figures"/*."$ext" >/dev/null 2>&1 || fail "installed snilab --figures wrote no .$ext"
done
echo "   installed snilab --figures wrote $(ls "$work/figures" | wc -l) files for run $run"
zcat /usr/share/man/man1/snilab-cli.1.gz | grep -q '^\.SS evaluate' \
  || fail "installed snilab-cli(1) has no evaluate section"
$sudo dpkg -r snilab >/dev/null
[ ! -e /usr/bin/snilab-cli ] || fail "dpkg -r left /usr/bin/snilab-cli"
trap 'rm -rf "$work"' EXIT
echo "== deb-check passed: built, validated, installed, ran, removed"
