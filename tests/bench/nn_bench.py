#!/usr/bin/env python3
"""CNN-GRU benchmark: snilab (LibTorch C++, SequenceNetwork) vs the same
architecture in PyTorch-Python, on the same data, batch size, epochs and
thread count. Not a timed test: it reports.

1. Dataset: by default the real packet-size sequences of the demo captures
   (resources/samples): `snilab-cli ingest` into a catalog, `snilab-cli
   features --sequences`, channel seq<t>_size (one channel, as the model
   cnngru-packet uses), standardised over the data, then drawn with
   replacement up to --rows rows (seeded). --synthetic uses random normal
   sequences instead. Written once as a SNLBNN01 file (see nn_bench.cpp) that
   both sides read.
2. Each side runs in its own process, started with OMP_WAIT_POLICY=PASSIVE in
   its environment, alternately snilab / PyTorch, --repeat times; figures are
   medians over the runs:
     training   --epochs epochs of shuffled mini-batches (batch --batch), no
                validation split, no early stopping; samples/s over epochs
                2..N (the first epoch is a warm-up).
     batch 1    median latency of predict-proba on one row (N calls).
     batch 256  median time of predict-proba on 256 rows -> samples/s.
   snilab: snilab-nn-bench, i.e. SequenceNetwork::fit() and predictProba()
   as the product runs them (float64 softmax probabilities out). PyTorch: the
   same modules (Conv1d 200 k3 pad 1, ReLU, BatchNorm, Conv1d 400 k3, ReLU,
   BatchNorm, GRU 200 batch-first last hidden, Dropout, Linear 200 + sigmoid,
   Dropout, Linear), Adam lr 1e-3, cross-entropy, torch.set_num_threads(T),
   and the same per-batch work as fit() (index_select of the batch, loss and
   accuracy read back with .item()); its predict_proba does what
   predictProba() does (eval, no_grad, chunks of 1,024, softmax, float64).

PyTorch comes from Debian's python3-torch and is used only here, never by
snilab. It is importable by /usr/bin/python3 (a `python3` earlier on PATH may
be another Python without it): this script re-executes itself with
/usr/bin/python3 when torch is not importable, and returns 77 (skip) when it
still is not, or when snilab-nn-bench is not built.

  tests/bench/nn_bench.py --build BUILD            # the real run (a few minutes)
  tests/bench/nn_bench.py --build BUILD --smoke    # tiny sizes, one epoch
"""
import argparse
import importlib.util
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

SYSTEM_PYTHON = "/usr/bin/python3"
MAGIC = b"SNLBNN01"


def ensure_torch_python():
    """Re-executes with /usr/bin/python3 when this Python cannot import torch."""
    if importlib.util.find_spec("torch") is not None and importlib.util.find_spec("numpy") is not None:
        return True
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and os.path.exists(SYSTEM_PYTHON) \
            and not os.environ.get("SNILAB_NN_BENCH_REEXEC"):
        os.environ["SNILAB_NN_BENCH_REEXEC"] = "1"
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])
    return False


# --- Dataset file -----------------------------------------------------------

def write_dataset(path, x, y, classes):
    import numpy as np
    rows, length, channels = x.shape
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<4q", rows, length, channels, classes))
        f.write(np.ascontiguousarray(x, dtype="<f4").tobytes())
        f.write(np.ascontiguousarray(y, dtype="<i4").tobytes())


def read_dataset(path):
    import numpy as np
    with open(path, "rb") as f:
        if f.read(8) != MAGIC:
            raise SystemExit(f"{path}: not a SNLBNN01 dataset")
        rows, length, channels, classes = struct.unpack("<4q", f.read(32))
        x = np.frombuffer(f.read(rows * length * channels * 4), dtype="<f4").reshape(rows, length, channels)
        y = np.frombuffer(f.read(rows * 4), dtype="<i4")
    return x.copy(), y.astype(np.int64), classes


def real_sequences(cli, catalog, work, sources):
    """Standardised packet-size sequences (rows x length x 1) and dense classes."""
    import csv
    import numpy as np
    if not catalog:
        catalog = os.path.join(work, "catalog.sqlite")
        subprocess.run([cli, "ingest", "--quiet", "--catalog", catalog] + sources, check=True,
                       capture_output=True)
    csv_path = os.path.join(work, "sequences.csv")
    subprocess.run([cli, "features", "--catalog", catalog, "--out", csv_path, "--sequences"], check=True,
                   capture_output=True)
    with open(csv_path, newline="") as f:
        reader = csv.DictReader(f)
        cols = [c for c in reader.fieldnames if c.startswith("seq") and c.endswith("_size")]
        cols.sort(key=lambda c: int(c[3:].split("_")[0]))
        rows = list(reader)
    if not rows or not cols:
        raise SystemExit("no sequences exported from the catalog")
    x = np.array([[float(r[c]) for c in cols] for r in rows], dtype=np.float64)
    y = np.array([int(r["class"]) for r in rows], dtype=np.int64)
    std = x.std()
    x = (x - x.mean()) / (std if std > 0 else 1.0)
    return x[:, :, None].astype(np.float32), y


def make_dataset(args, cli, work, path):
    import numpy as np
    rng = np.random.default_rng(args.seed)
    if args.synthetic:
        x = rng.standard_normal((args.rows, args.length, 1), dtype=np.float32)
        y = rng.integers(0, args.classes, args.rows).astype(np.int64)
        source = f"synthetic normal sequences, {args.classes} random classes"
    else:
        real_x, real_y = real_sequences(cli, args.catalog, work, args.source)
        pick = rng.integers(0, len(real_x), args.rows)
        x, y = real_x[pick], real_y[pick]
        source = (f"{len(real_x)} real packet-size sequences of {int(real_y.max()) + 1} classes "
                  f"({args.catalog or ', '.join(args.source)}), drawn with replacement")
    classes = max(2, int(y.max()) + 1)
    write_dataset(path, x, y, classes)
    return source


# --- The PyTorch side (runs in its own process: --torch-worker) -------------

def torch_worker(args):
    import numpy as np
    import torch
    import torch.nn.functional as F
    from torch import nn

    class CnnGru(nn.Module):
        def __init__(self, channels, classes, conv1=200, conv2=400, gru=200, dense=200, dropout=0.0):
            super().__init__()
            self.conv1 = nn.Conv1d(channels, conv1, 3, padding=1)
            self.bn1 = nn.BatchNorm1d(conv1)
            self.conv2 = nn.Conv1d(conv1, conv2, 3)
            self.bn2 = nn.BatchNorm1d(conv2)
            self.gru = nn.GRU(conv2, gru, batch_first=True)
            self.drop1 = nn.Dropout(dropout)
            self.dense = nn.Linear(gru, dense)
            self.drop2 = nn.Dropout(dropout)
            self.out = nn.Linear(dense, classes)

        def forward(self, x):  # batch x time x channels
            x = x.transpose(1, 2)
            x = self.bn1(torch.relu(self.conv1(x)))
            x = self.bn2(torch.relu(self.conv2(x)))
            x = x.transpose(1, 2).contiguous()
            last = self.gru(x)[1][-1]
            x = torch.sigmoid(self.dense(self.drop1(last)))
            return self.out(self.drop2(x))

    torch.set_num_threads(args.threads)
    x_np, y_np, classes = read_dataset(args.data)
    rows, length, channels = x_np.shape
    torch.manual_seed(args.seed)
    model = CnnGru(channels, classes)
    x_all = torch.from_numpy(x_np).clone()
    y_all = torch.from_numpy(y_np).clone()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(args.seed)
    best_loss, best, epoch_seconds, epoch_cpu = float("inf"), None, [], []
    fit_start = time.perf_counter()
    cpu_mark = time.process_time()
    for _ in range(args.epochs):
        started = time.perf_counter()
        model.train()
        perm = torch.from_numpy(rng.permutation(rows))
        loss_sum, correct = 0.0, 0
        for start in range(0, rows, args.batch):
            end = min(rows, start + args.batch)
            if end - start < 2:  # BatchNorm cannot train on one sample (as fit())
                continue
            idx = perm[start:end]
            xb = x_all.index_select(0, idx)
            yb = y_all.index_select(0, idx)
            optimizer.zero_grad()
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * (end - start)
            correct += int(logits.argmax(1).eq(yb).sum().item())
        model.eval()
        train_loss, train_acc = loss_sum / rows, correct / rows
        if train_loss < best_loss:  # fit()'s best-epoch snapshot (no validation: training loss)
            best_loss = train_loss
            best = [t.detach().clone() for t in list(model.parameters()) + list(model.buffers())]
        epoch_seconds.append(time.perf_counter() - started)
        epoch_cpu.append(time.process_time() - cpu_mark)  # what snilab-nn-bench samples in epoch()
        cpu_mark = time.process_time()
    with torch.no_grad():
        for t, b in zip(list(model.parameters()) + list(model.buffers()), best):
            t.copy_(b)
    model.eval()
    fit_seconds = time.perf_counter() - fit_start

    def predict_proba(x):  # what SequenceNetwork::predictProba() does
        if torch.get_num_threads() != args.threads:  # as applyThreads(): only when it differs
            torch.set_num_threads(args.threads)
        model.eval()
        out = np.empty((len(x), classes), dtype=np.float64)
        with torch.no_grad():
            for start in range(0, len(x), 1024):
                xb = torch.from_numpy(x[start:start + 1024])
                out[start:start + len(xb)] = torch.softmax(model(xb), 1).to(torch.float64).numpy()
        return out

    def time_predict(batch, warmup, calls):
        starts = max(1, rows - batch + 1)
        times, cpu, checksum = [], [], 0.0
        for i in range(warmup + calls):
            first = (i * batch) % starts
            c0 = time.process_time()
            t0 = time.perf_counter()
            p = predict_proba(x_np[first:first + batch])
            t = time.perf_counter() - t0
            c = time.process_time() - c0
            checksum += p[0, 0]
            if i >= warmup:
                times.append(t)
                cpu.append(c)
        return statistics.median(times), statistics.median(cpu), checksum

    b1, b1_cpu, c1 = time_predict(1, args.warmup, args.calls)
    big = min(256, rows)
    b256, b256_cpu, c2 = time_predict(big, min(args.warmup, 3), args.calls256)

    def rate(seconds):  # epochs 2..N (the first is a warm-up), or the only one
        timed = seconds[1:] or seconds
        return rows * len(timed) / sum(timed)

    print(json.dumps({
        "impl": "pytorch", "rows": rows, "length": length, "channels": channels, "classes": classes,
        "epochs": args.epochs, "batch": args.batch, "threads": args.threads,
        "parameters": sum(p.numel() for p in model.parameters()), "epoch_seconds": epoch_seconds,
        "epoch_cpu_seconds": epoch_cpu, "train_samples_per_s": rate(epoch_seconds),
        "train_samples_per_cpu_s": rate(epoch_cpu), "fit_samples_per_s": rows * args.epochs / fit_seconds,
        "final_train_loss": train_loss, "final_train_accuracy": train_acc,
        "predict_b1_ms": b1 * 1e3, "predict_b1_cpu_ms": b1_cpu * 1e3, "predict_big_batch": big,
        "predict_big_ms": b256 * 1e3, "predict_big_cpu_ms": b256_cpu * 1e3,
        "predict_big_samples_per_s": big / b256, "predict_big_samples_per_cpu_s": big / b256_cpu,
        "checksum": c1 + c2, "torch": torch.__version__}))
    return 0


# --- Driver -------------------------------------------------------------------

def run_side(cmd, env):
    load = os.getloadavg()[0]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    result = json.loads(proc.stdout)
    result["load"] = (load + os.getloadavg()[0]) / 2
    return result


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", help="CMake build folder (with tests/bench/snilab-nn-bench and app/cli/snilab-cli)")
    ap.add_argument("--source", nargs="+", default=[os.path.normpath(os.path.join(here, "..", "..", "resources", "samples"))],
                    help="captures to ingest for the real sequences (default: resources/samples)")
    ap.add_argument("--catalog", help="use this catalog instead of ingesting --source")
    ap.add_argument("--synthetic", action="store_true", help="random sequences instead of real ones")
    ap.add_argument("--rows", type=int, default=8192, help="training rows (default 8192)")
    ap.add_argument("--length", type=int, default=25, help="--synthetic sequence length (default 25)")
    ap.add_argument("--classes", type=int, default=10, help="--synthetic classes (default 10)")
    ap.add_argument("--epochs", type=int, default=3, help="epochs, the first a warm-up (default 3)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--calls", type=int, default=300, help="batch-1 predict calls (median)")
    ap.add_argument("--calls256", type=int, default=30, help="batch-256 predict calls (median)")
    ap.add_argument("--warmup", type=int, default=10, help="untimed predict calls first")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each side, alternated (median)")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, one epoch, one run: checks that it works")
    ap.add_argument("--json", help="also write every run's figures to this file")
    ap.add_argument("--bench-binary", help="another snilab-nn-bench to run (e.g. built against a patched engine)")
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if not ensure_torch_python():
        print("SKIP: PyTorch for Python is not importable (apt-get install python3-torch; "
              f"run with {SYSTEM_PYTHON})")
        return 77
    if args.torch_worker:
        return torch_worker(args)
    if not args.build:
        ap.error("--build is required")
    if args.smoke:
        args.rows, args.epochs, args.repeat = min(args.rows, 300), 1, 1
        args.calls, args.calls256, args.warmup = 5, 2, 1
    bench = args.bench_binary or os.path.join(args.build, "tests", "bench", "snilab-nn-bench")
    cli = os.path.join(args.build, "app", "cli", "snilab-cli")
    if not os.path.exists(bench) or (not args.synthetic and not os.path.exists(cli)):
        print(f"SKIP: {bench} (or snilab-cli) is not built (configure with SNILAB_WITH_TORCH=ON)")
        return 77

    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    work = tempfile.mkdtemp(prefix="snilab-nn-bench-")
    try:
        data = os.path.join(work, "data.snlbnn")
        source = make_dataset(args, cli, work, data)
        common = ["--data", data, "--epochs", str(args.epochs), "--batch", str(args.batch), "--threads",
                  str(args.threads), "--seed", str(args.seed), "--calls", str(args.calls), "--calls256",
                  str(args.calls256), "--warmup", str(args.warmup)]
        snilab_cmd = [bench] + common
        torch_cmd = [sys.executable, os.path.abspath(__file__), "--torch-worker"] + common
        runs = {"snilab": [], "pytorch": []}
        for i in range(args.repeat):
            for name, cmd in (("snilab", snilab_cmd), ("pytorch", torch_cmd)):
                r = run_side(cmd, env)
                runs[name].append(r)
                epochs = " ".join(f"{t:.1f}" for t in r["epoch_seconds"])
                print(f"run {i + 1} {name:<8} train {r['train_samples_per_s']:6.0f}/s "
                      f"({r['train_samples_per_cpu_s']:5.0f}/cpu-s)  b1 {r['predict_b1_ms']:7.3f} ms "
                      f"({r['predict_b1_cpu_ms']:6.3f} cpu)  b{r['predict_big_batch']} "
                      f"{r['predict_big_samples_per_s']:6.0f}/s ({r['predict_big_samples_per_cpu_s']:5.0f}/cpu-s)  "
                      f"epochs [{epochs}] s  loss {r['final_train_loss']:.3f}  load {r['load']:.2f}", flush=True)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(runs, f, indent=1)

        def med(name, key):
            return statistics.median(r[key] for r in runs[name])

        s0 = runs["snilab"][0]
        print(f"\ndata: {s0['rows']} rows x {s0['length']} steps x {s0['channels']} channel, "
              f"{s0['classes']} classes; {source}")
        print(f"CNN-GRU {s0['parameters']} parameters; batch {args.batch}, {args.threads} threads, "
              f"{args.epochs} epochs{' (first excluded as warm-up)' if args.epochs > 1 else ''}, OMP_WAIT_POLICY=PASSIVE; "
              f"PyTorch {runs['pytorch'][0]['torch']} ({sys.executable}); {os.cpu_count()} cores; "
              f"medians of {args.repeat} runs; load average during the runs "
              f"{min(r['load'] for v in runs.values() for r in v):.2f}.."
              f"{max(r['load'] for v in runs.values() for r in v):.2f}")
        big = s0["predict_big_batch"]
        table = [("training, samples/s", "train_samples_per_s", True),
                 ("  whole fit() incl. warm-up, samples/s", "fit_samples_per_s", True),
                 ("inference batch 1, ms per sample", "predict_b1_ms", False),
                 (f"inference batch {big}, samples/s", "predict_big_samples_per_s", True),
                 ("CPU time (all threads; load-robust):", None, None),
                 ("training, samples per CPU-s", "train_samples_per_cpu_s", True),
                 ("inference batch 1, CPU ms per sample", "predict_b1_cpu_ms", False),
                 (f"inference batch {big}, samples per CPU-s", "predict_big_samples_per_cpu_s", True)]
        print(f"\n{'measure (median of runs)':<38}{'snilab':>11}{'PyTorch':>11}{'ratio':>8}  (ratio > 1: snilab better)")
        ratios = []
        for label, key, higher_better in table:
            if key is None:
                print(label)
                continue
            s, p = med("snilab", key), med("pytorch", key)
            ratio = s / p if higher_better else p / s
            if key in ("train_samples_per_s", "predict_b1_ms", "predict_big_samples_per_s"):
                ratios.append(ratio)
            fmt = "{:>11.3f}" if not higher_better else "{:>11.0f}"
            print(f"{label:<38}" + fmt.format(s) + fmt.format(p) + f"{ratio:>8.2f}")
        print(f"\nfinal training loss (last epoch, median): snilab {med('snilab', 'final_train_loss'):.3f}, "
              f"PyTorch {med('pytorch', 'final_train_loss'):.3f}")
        print("target (wall-time ratios >= 1.0): " + ("met" if min(ratios) >= 1.0 else "NOT met"))
        if args.smoke:
            bad = [k for v in runs.values() for r in v for k in ("train_samples_per_s", "predict_b1_ms",
                                                                 "predict_big_samples_per_s") if not r[k] > 0]
            if bad:
                print("FAIL: non-positive figures " + ", ".join(bad))
                return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
