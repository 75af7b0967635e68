#!/usr/bin/env bash
# The two set-up commands of the README, for a fresh Debian 12 machine (as root):
#   bash tools/snilab.sh demo   install packages, build, run the main job on the demo data
#                               (ingest, summary, random-forest sweep, the paper's model
#                               comparison with CNN-GRUs and ensembles, reports, figures,
#                               a held-out train/predict; then the workbench if there is
#                               a display)
#   bash tools/snilab.sh test   install packages, build, run the whole test suite
# Environment: SNILAB_SKIP_APT=1 skips apt-get (packages already installed);
# SNILAB_BUILD_DIR (default build) is where it builds.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-}
case "$mode" in
  demo|test) ;;
  *) echo "usage: bash tools/snilab.sh demo|test" >&2; exit 2 ;;
esac

packages=(build-essential cmake pkg-config ccache
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libqt6sql6-sqlite qt6-svg-dev
  libpcap-dev libsqlite3-dev libpsl-dev zlib1g-dev libzstd-dev libssl-dev libopencv-dev
  libtorch-dev libopenblas0-openmp python3-torch
  tshark xvfb xauth fonts-dejavu-core python3 zstd clang-format
  iproute2 openssl curl tcpdump ethtool iptables libnetfilter-queue1 ngtcp2-server ngtcp2-client
  clang libclang-rt-14-dev desktop-file-utils appstream)

install_packages() {
  [ "${SNILAB_SKIP_APT:-0}" = 1 ] && return 0
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # tshark asks whether non-root users may capture; answer no, non-interactively.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build_dir=${SNILAB_BUILD_DIR:-build}
jobs=$(nproc)
# LibTorch's OpenMP threads spin when idle unless told otherwise; with two
# cores that collapses training throughput (docs/stack.md). snilab-cli
# re-executes itself with this set; exporting it here covers every process.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

build() { # [TARGET...]
  echo "== configuring ($build_dir)"
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSNILAB_WERROR=ON \
    -DSNILAB_BUILD_UI=ON -DSNILAB_WITH_TORCH=ON -DSNILAB_WITH_OPENCV=ON >/dev/null
  echo "== building"
  cmake --build "$build_dir" -j"$jobs" ${1:+--target "$@"}
}

install_packages
case "$mode" in
  demo)
    build snilab-cli snilab
    demo_data="$root/../shared/data/matousp-ja3s-fingerprinting/pcap"
    [ -d "$root/resources/samples" ] && ls "$root/resources/samples"/*.pcap* >/dev/null 2>&1 && demo_data="$root/resources/samples"
    if [ ! -d "$demo_data" ]; then
      echo "no demo data: neither resources/samples nor ../shared/data is present" >&2
      exit 1
    fi
    demo_data=$(realpath "$demo_data")
    out=${SNILAB_DEMO_OUT:-$root/out/demo}
    mkdir -p "$out"
    rm -f "$out/catalog.sqlite" "$out/catalog.sqlite-wal" "$out/catalog.sqlite-shm"
    echo "== ingesting $demo_data into $out/catalog.sqlite"
    set +e
    "$build_dir/app/cli/snilab-cli" ingest --catalog "$out/catalog.sqlite" "$demo_data"
    rc=$?
    set -e
    [ $rc -le 1 ] || exit $rc
    cli="$build_dir/app/cli/snilab-cli"
    # evaluate NAME ARGS...: a run whose result is kept as $out/NAME.json
    # (snilab-cli evaluate --json) and shown as $out/NAME.txt (runs --show);
    # sets $run to its id, read from the JSON rather than scraped from text.
    evaluate() {
      local name=$1
      shift
      "$cli" evaluate --catalog "$out/catalog.sqlite" --json "$@" > "$out/$name.json"
      run=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["run"])' "$out/$name.json")
      "$cli" runs --catalog "$out/catalog.sqlite" --show "$run" | tee "$out/$name.txt"
    }
    "$cli" summary --catalog "$out/catalog.sqlite"
    "$cli" connections --catalog "$out/catalog.sqlite" --out "$out/connections.csv"
    # Thresholds that fit the data: the lab's demo set has 14 TLS-over-TCP
    # classes of 162-412 connections and 5 QUIC classes of 150-153; the BUT
    # captures far smaller classes.
    default_thresholds=10,20,30,40,60
    [ "$demo_data" = "$(realpath "$root/resources/samples")" ] && default_thresholds=100,150,165,170
    thresholds=${SNILAB_DEMO_THRESHOLDS:-$default_thresholds}
    echo "== random forest over thresholds $thresholds, 10-fold stratified (the honest default)"
    evaluate evaluate --thresholds "$thresholds"
    "$cli" report --catalog "$out/catalog.sqlite" --run "$run" --out "$out/report"
    echo "== the same with the paper's choices (more-than-T, paper labels), for comparison"
    evaluate evaluate-paper --thresholds "$thresholds" --preset paper
    "$cli" report --catalog "$out/catalog.sqlite" --run "$run" --out "$out/report-paper"
    echo "== the random forest by transport on the same catalog: TCP only, QUIC only, both"
    transport_t=${SNILAB_DEMO_TRANSPORT_THRESHOLD:-$(echo "$thresholds" | cut -d, -f2)}
    for transport in tcp quic all; do
      evaluate "evaluate-$transport" --thresholds "$transport_t" --transport "$transport"
    done
    echo "== the honest default again, split by capture file (no capture in both train and test)"
    captures=$(find "$demo_data" -maxdepth 1 -name '*.pcap*' | wc -l)
    evaluate evaluate-capture --thresholds "${thresholds%%,*}" --split capture --folds "$captures"
    # The paper's comparison: RF, the three CNN-GRUs, their mean and the
    # paper's final 0.5*RF + 1/6 each CNN-GRU. Cut to fit ~10 minutes on two
    # cores: 3 folds instead of 10, at most 15 epochs (early stopping, patience
    # 5), two thresholds. Set SNILAB_DEMO_FULL=1 for 10 folds and 100 epochs.
    nn_thresholds=${SNILAB_DEMO_NN_THRESHOLDS:-$(echo "$thresholds" | cut -d, -f1,3)}
    nn_folds=3 nn_epochs=15
    [ "${SNILAB_DEMO_FULL:-0}" = 1 ] && nn_folds=10 nn_epochs=100
    echo "== the paper's models: rf, cnngru-packet/payload/iat, their mean, paper ensemble"
    echo "   (thresholds $nn_thresholds, $nn_folds folds, at most $nn_epochs epochs: shortened for the demo)"
    evaluate evaluate-models --thresholds "$nn_thresholds" \
      --models rf,cnngru-packet,cnngru-payload,cnngru-iat,cnngru-mean,paper \
      --folds "$nn_folds" --epochs "$nn_epochs"
    "$cli" report --catalog "$out/catalog.sqlite" --run "$run" --out "$out/report-models"
    # Held out: the last capture of each transport the ground truth names
    # (the demo set's day3, TCP, and day5, QUIC); without one, the last capture.
    held=()
    if [ -f "$demo_data/ground_truth.csv" ]; then
      while read -r name; do held+=("$demo_data/$name"); done < <(awk -F, \
        'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "transport") t = i; next }
         t { last[$t] = ($1 > last[$t] ? $1 : last[$t]) }
         END { for (k in last) print last[k] }' "$demo_data/ground_truth.csv" | sort)
    fi
    [ ${#held[@]} -gt 0 ] || held=("$(find "$demo_data" -maxdepth 1 -name '*.pcap*' | sort | tail -1)")
    echo "== a model file: train on the other captures, predict the held-out ones:" \
      "$(for h in "${held[@]}"; do basename "$h"; done | tr '\n' ' ')"
    train_catalog="$out/train.sqlite"
    rm -f "$train_catalog" "$train_catalog-wal" "$train_catalog-shm"
    find "$demo_data" -maxdepth 1 -name '*.pcap*' | sort \
      | grep -vxF -f <(printf '%s\n' "${held[@]}") \
      | xargs "$cli" ingest --quiet --catalog "$train_catalog"
    "$cli" train --quiet --catalog "$train_catalog" --threshold "${thresholds%%,*}" \
      --models paper --epochs "$nn_epochs" --out "$out/model.snilab"
    "$cli" predict --quiet --model "$out/model.snilab" --out "$out/predictions-held-out.csv" "${held[@]}"
    echo "== figures of the model comparison (PNG, SVG, PDF; the workbench's chart code, offscreen)"
    "$build_dir/app/gui/snilab" --figures --catalog "$out/catalog.sqlite" --run "$run" \
      --out "$out/figures"
    echo "== wrote $out: catalog.sqlite, connections.csv, report/, report-paper/, report-models/,"
    echo "   evaluate*.json (each run as JSON) and evaluate*.txt, figures/, model.snilab and"
    echo "   predictions-held-out.csv"
    # With a display, open the workbench on the demo catalog; headless (or
    # SNILAB_DEMO_GUI=0) the reports and figures above are the result.
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${SNILAB_DEMO_GUI:-1}" = 1 ] && [ -z "${CI:-}" ]; then
      echo "== opening the workbench on $out/catalog.sqlite"
      exec "$build_dir/app/gui/snilab" "$out/catalog.sqlite"
    fi
    ;;
  test)
    build
    echo "== format check"
    git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror
    echo "== tests"
    ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" --timeout 1800
    echo "== the Debian package: cpack, validators, dpkg -i, installed programs, dpkg -r"
    bash "$root/tools/deb-check.sh" "$build_dir"
    echo "== engine tests under ASan+UBSan"
    san_dir="${build_dir}-asan"
    cmake -S "$root" -B "$san_dir" -DCMAKE_BUILD_TYPE=Debug -DSNILAB_WERROR=ON -DSNILAB_SANITIZE=ON \
      -DSNILAB_BUILD_UI=OFF -DSNILAB_WITH_TORCH=OFF >/dev/null
    cmake --build "$san_dir" -j"$jobs"
    # exitcode=86: a sanitizer report is never mistaken for snilab-cli's
    # "some input unreadable" status 1.
    ASAN_OPTIONS=detect_leaks=1:exitcode=86 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --test-dir "$san_dir" --output-on-failure -j"$jobs" -L "engine|cli|sanitize" -LE slow --timeout 1800
    echo "== threaded ingest under ThreadSanitizer"
    tsan_dir="${build_dir}-tsan"
    cmake -S "$root" -B "$tsan_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSNILAB_WERROR=ON -DSNILAB_TSAN=ON \
      -DSNILAB_BUILD_UI=OFF -DSNILAB_WITH_OPENCV=OFF -DSNILAB_WITH_TORCH=OFF >/dev/null
    cmake --build "$tsan_dir" -j"$jobs" --target snilab-cli test_work_pipe
    TSAN_OPTIONS="halt_on_error=1 exitcode=66 suppressions=$root/tests/tsan.supp" \
      ctest --test-dir "$tsan_dir" --output-on-failure \
      -j"$jobs" -R '^cli\.(ingest|reingest|connections|summary|compressed)|^oracle\.no_crash$|^engine\.test_work_pipe$' \
      --timeout 1800
    echo "== fuzz targets (clang, libFuzzer, ${SNILAB_FUZZ_SECONDS:-45} s each)"
    fuzz_dir="${build_dir}-fuzz"
    CC=clang CXX=clang++ cmake -S "$root" -B "$fuzz_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DSNILAB_FUZZ=ON -DSNILAB_BUILD_UI=OFF -DSNILAB_WITH_OPENCV=OFF -DSNILAB_WITH_TORCH=OFF \
      -DSNILAB_FUZZ_SECONDS="${SNILAB_FUZZ_SECONDS:-45}" >/dev/null
    cmake --build "$fuzz_dir" -j"$jobs"
    # One libFuzzer process per core: each target is single-threaded.
    ctest --test-dir "$fuzz_dir" --output-on-failure -L fuzz -j"$jobs"
    ;;
esac
