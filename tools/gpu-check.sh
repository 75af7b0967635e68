#!/usr/bin/env bash
# The GPU measurement, in one call (README "The GPU path, measured"):
#   1. builds the engine and snilab-cli against the box's torch
#      (tools/gpu-build.sh; Debian packages from SNILAB_DEBS when missing);
#   2. ingests the embedded demo set and a generated 532-class set
#      (tools/make_scale_captures.py), and checks that --version lists CUDA;
#   3. evaluates cnngru-packet, cnngru-payload, cnngru-iat and cnngru-mean at
#      T = 100 with 10 folds on the device, the same for a few epochs on the
#      box's CPU as the baseline, and one short run of the 532-class set on
#      each (throughput at the paper's scale, extrapolated to its 10 folds);
#   4. trains a model file on the device and predicts a capture with it on
#      the device and on the CPU: every probability must agree within 1e-5;
#   5. writes its log, nvidia-smi samples and gpu-check.json (the figures)
#      under OUT_DIR.
# The random forest (and so the paper's ensemble) needs OpenCV, which a GPU
# box build lacks; cnngru-mean is the ensemble measured there.
#
#   bash tools/gpu-check.sh [OUT_DIR]     (default: $OUT, else out/gpu-check)
#
# Environment (defaults in brackets):
#   SNILAB_GPU_DEVICE   the device measured [cuda]; cpu rehearses the script
#                       on a machine without a GPU
#   SNILAB_GPU_BUILD    build folder [build-gpu]; SNILAB_DEBS, PYTHON and
#                       SNILAB_TORCH_PREFIX as for tools/gpu-build.sh
#   SNILAB_GPU_EPOCHS   at most this many epochs on the device [30]
#   SNILAB_GPU_FOLDS    folds of the demo comparison [10]
#   SNILAB_CPU_EPOCHS   epochs of the CPU baseline [2]
#   SNILAB_SCALE_CONNECTIONS  connections of the generated set [133824]
#   SNILAB_SCALE_EPOCHS epochs of its short runs (2 folds) [2]
#   SNILAB_SCALE_CPU    1: also time the 532-class set on the CPU [1]
# Exit status: 0 every check passed, 1 a check failed (the figures measured
# so far are still written), 2 the build or the data could not be made.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-${OUT:-$root/out/gpu-check}}")
device=${SNILAB_GPU_DEVICE:-cuda}
build=$(realpath -m "${SNILAB_GPU_BUILD:-$root/build-gpu}")
python=${PYTHON:-python3}
epochs=${SNILAB_GPU_EPOCHS:-30}
folds=${SNILAB_GPU_FOLDS:-10}
cpu_epochs=${SNILAB_CPU_EPOCHS:-2}
scale_connections=${SNILAB_SCALE_CONNECTIONS:-133824}
scale_epochs=${SNILAB_SCALE_EPOCHS:-2}
scale_cpu=${SNILAB_SCALE_CPU:-1}
networks=cnngru-packet,cnngru-payload,cnngru-iat,cnngru-mean
mkdir -p "$out"
work="$out/work"
rm -rf "$work"
mkdir -p "$work"
exec > >(tee "$out/gpu-check.log") 2>&1
tee_pid=$!
start=$(date +%s)
step() { echo "== [$(($(date +%s) - start)) s] $*"; }
failed=0
check() { # check CONDITION_TEXT OK?: a failed check is reported, the run goes on
  if [ "$2" = 1 ]; then echo "PASS: $1"; else echo "FAIL: $1"; failed=1; fi
}

step "build ($build)"
bash "$root/tools/gpu-build.sh" "$build" || exit 2
cli="$build/app/cli/snilab-cli"
export OMP_WAIT_POLICY=PASSIVE
version=$("$cli" --version) || exit 2
echo "$version" | tee "$out/version.txt"
if [ "$device" = cuda ]; then
  check "--version lists CUDA" "$(grep -q 'cuda' <<<"$version" && echo 1 || echo 0)"
fi

monitor=""
if command -v nvidia-smi >/dev/null; then
  nvidia-smi | tee "$out/nvidia-smi.txt" || true
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used,memory.total \
    --format=csv,noheader,nounits -lms 500 >"$out/nvidia-smi.csv" 2>/dev/null &
  monitor=$!
  trap '[ -n "$monitor" ] && kill "$monitor" 2>/dev/null || true' EXIT
fi

step "ingest the demo set"
"$cli" ingest --quiet --catalog "$work/demo.sqlite" "$root/resources/samples" || [ $? -le 1 ] || exit 2
step "generate and ingest the 532-class set ($scale_connections connections)"
"$python" "$root/tools/make_scale_captures.py" --out "$work/scale" \
  --connections "$scale_connections" || exit 2
"$cli" ingest --quiet --catalog "$work/scale.sqlite" "$work/scale" || [ $? -le 1 ] || exit 2

# evaluate NAME ARGS...: one run, its JSON, its report (epochs.csv) and its
# wall time and peak RSS in NAME.time ("seconds kilobytes").
evaluate() {
  local name=$1
  shift
  step "evaluate $name: $*"
  local t0 t1
  t0=$(date +%s.%N)
  if ! "$cli" evaluate --quiet --json "$@" >"$out/$name.json"; then
    check "evaluate $name" 0
    rm -f "$out/$name.json"
    return 0
  fi
  t1=$(date +%s.%N)
  echo "$t0 $t1" >"$out/$name.time"
  local run
  if ! run=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"])' \
    "$out/$name.json") || ! "$cli" report --catalog "$2" --run "$run" \
    --out "$out/$name-report" >/dev/null; then
    check "report of $name" 0
  fi
}
common=(--thresholds 100 --models "$networks" --seed 1)
evaluate demo-"$device" --catalog "$work/demo.sqlite" "${common[@]}" --folds "$folds" \
  --epochs "$epochs" --device "$device"
evaluate demo-cpu-baseline --catalog "$work/demo.sqlite" "${common[@]}" --folds "$folds" \
  --epochs "$cpu_epochs" --patience "$cpu_epochs" --device cpu
scale_args=(--thresholds 100 --models cnngru-packet --seed 1 --folds 2)
evaluate scale-"$device" --catalog "$work/scale.sqlite" "${scale_args[@]}" \
  --epochs "$scale_epochs" --patience "$scale_epochs" --device "$device"
if [ "$scale_cpu" = 1 ]; then
  evaluate scale-cpu-baseline --catalog "$work/scale.sqlite" "${scale_args[@]}" --epochs 1 \
    --patience 1 --device cpu
fi

step "a model file trained on $device, predicted on $device and on the CPU"
held=$(ls "$root"/resources/samples/*.pcap* | sort | tail -1)
if "$cli" train --quiet --catalog "$work/demo.sqlite" \
  --models cnngru-packet,cnngru-iat,cnngru-mean --primary cnngru-mean --threshold 100 \
  --epochs 5 --device "$device" --out "$work/model.snilab"; then
  for d in "$device" cpu; do
    rc=0
    "$cli" predict --quiet --model "$work/model.snilab" --device "$d" --digits 9 --top 5 \
      --out "$work/predict-$d.csv" "$held" || rc=$?
    [ $rc -le 1 ] || check "predict on $d" 0
  done
else
  check "train on $device" 0
fi
[ -n "$monitor" ] && kill "$monitor" 2>/dev/null || true
monitor=""

step "figures"
set +e
"$python" - "$out" "$device" "$work/predict-$device.csv" "$work/predict-cpu.csv" <<'EOF'
import csv, json, os, re, sys

out, device, pdev, pcpu = sys.argv[1:5]
figures = {"device": device}

def epochs_of(name):
    path = os.path.join(out, name + "-report", "epochs.csv")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))

def run_figures(name):
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path):
        return None
    doc = json.load(open(path))
    t0, t1 = (float(x) for x in open(os.path.join(out, name + ".time")).read().split())
    cells = doc.get("grid", [])
    samples = max((int(c.get("samples", 0)) for c in cells), default=0)
    folds = max((int(c.get("folds", 0)) for c in cells), default=0)
    rows = epochs_of(name)
    per_model = {}
    for r in rows:
        m = per_model.setdefault(r["model"], {"epochs": 0, "seconds": 0.0})
        m["epochs"] += 1
        m["seconds"] += float(r["seconds"])
    result = {"wall_seconds": round(t1 - t0, 1), "status": doc.get("status"),
              "samples": samples, "folds": folds, "models": {}}
    for c in cells:
        accuracy = c.get("metrics", {}).get("accuracy", {})
        result["models"].setdefault(c["model"], {})["accuracy"] = accuracy.get("mean")
    for model, m in per_model.items():
        entry = result["models"].setdefault(model, {})
        entry["epochs"] = m["epochs"]
        entry["epoch_seconds"] = round(m["seconds"] / m["epochs"], 3)
        if folds and samples:
            # a fold's training rows, less the 10 % validation part
            fit = samples * (folds - 1) / folds * 0.9
            entry["train_samples_per_second"] = round(fit / (m["seconds"] / m["epochs"]))
    return result

for name in sorted(f[:-5] for f in os.listdir(out) if f.endswith(".json") and f != "gpu-check.json"):
    r = run_figures(name)
    if r:
        figures[name] = r

smi = os.path.join(out, "nvidia-smi.csv")
if os.path.exists(smi):
    util, mem = [], []
    for line in open(smi):
        parts = [p.strip() for p in line.split(",")]
        if len(parts) >= 3:
            try:
                util.append(float(parts[1]))
                mem.append(float(parts[2]))
            except ValueError:
                pass
    if util:
        busy = [u for u in util if u > 0]
        figures["gpu"] = {"samples": len(util), "peak_memory_mib": max(mem),
                          "mean_utilisation_percent_when_busy":
                              round(sum(busy) / len(busy), 1) if busy else 0.0}

def probabilities(path):
    rows = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            key = (r["capture"], r["transport"], r["client_ip"], r["client_port"],
                   r["server_ip"], r["server_port"], r["start_ns"])
            # entries split at unescaped ';' (docs/outputs.md), p after the last ':'
            probs = [float(m) for m in re.findall(r"(?<!\\):([0-9.]+)(?:;|$)", r["top"])]
            rows.setdefault(key, []).append([float(r["probability"])] + probs)
    return rows

ok = True
if os.path.exists(pdev) and os.path.exists(pcpu):
    a, b = probabilities(pdev), probabilities(pcpu)
    same = set(a) == set(b) and all(len(a[k]) == len(b[k]) for k in a)
    worst = max((abs(x - y) for k in a if k in b for ra, rb in zip(a[k], b[k])
                 for x, y in zip(ra, rb)), default=None)
    figures["predict_device_vs_cpu"] = {"connections": len(a), "same_rows": same,
                                        "max_abs_difference": worst}
    ok = same and worst is not None and worst <= 1e-5
    print(("PASS" if ok else "FAIL") +
          f": {len(a)} connections, probabilities on {device} and on the CPU differ by at most {worst}")
else:
    print("FAIL: a prediction CSV is missing")
    ok = False

# The paper's 10-fold comparison at T = 100 on the 532-class set, extrapolated
# from the measured epochs: 3 networks x 10 folds x the demo run's mean epochs.
scale = figures.get("scale-" + device, {}).get("models", {}).get("cnngru-packet", {})
demo_run = figures.get("demo-" + device, {})
demo = demo_run.get("models", {})
if scale.get("epoch_seconds") and demo and demo_run.get("folds"):
    # epochs per network and fold that early stopping left on the demo set
    mean_epochs = sum(m.get("epochs", 0) for k, m in demo.items()
                      if k != "cnngru-mean") / 3 / demo_run["folds"]
    # the scale runs train on half the rows; a 10-fold fold trains on 90 %
    epoch_10fold = scale["epoch_seconds"] * 0.9 / 0.5
    figures["paper_scale_10_fold_estimate_minutes"] = round(
        3 * 10 * mean_epochs * epoch_10fold / 60, 1)
    figures["estimate_basis"] = (
        f"3 networks x 10 folds x {mean_epochs:.1f} epochs (the demo run's mean) x "
        f"{epoch_10fold:.1f} s (the 532-class epoch, scaled to a 10-fold training part)")
json.dump(figures, open(os.path.join(out, "gpu-check.json"), "w"), indent=2)
print(json.dumps(figures, indent=2))
sys.exit(0 if ok else 1)
EOF
figures_rc=$?
set -e
[ $figures_rc -eq 0 ] || failed=1
step "done (exit $failed)"
exec >&- 2>&-
wait "$tee_pid" 2>/dev/null || true # the log's last lines
exit $failed
