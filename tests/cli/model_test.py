#!/usr/bin/env python3
"""Networks, ensembles and model files end to end on the demo captures.

Through snilab-cli only, with resources/samples' TLS-over-TCP part (days 1-3;
day3 held out):
  * evaluate trains rf, a CNN-GRU and their ensemble; the grid shows all three;
    report writes epochs.csv (every epoch of the network, both folds) and a
    file-safe confusion file for the ensemble; the ensemble's accuracy in
    summary.csv equals the one recomputed from predictions.csv;
  * --device cuda without CUDA fails with a clear message; a network without
    its LibTorch module fails with the loader's reason, rf runs without it;
  * train writes a model file (paper ensemble); predict on the held-out
    capture classifies every connection of it, prints an accuracy that equals
    the CSV's `correct` column mean and is far above chance;
  * --use list / --use rf; a corrupt and a foreign model file fail clearly;
  * train with a threshold no class reaches fails clearly.
Skips (exit 77) when the build lacks rf or the networks, or without samples.
"""
import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile


def run(cli, *args, expect=0):
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    p = subprocess.run([cli, *args], capture_output=True, text=True, env=env)
    if expect is not None and p.returncode != expect:
        sys.exit(f"FAIL: snilab-cli {' '.join(args)} exited {p.returncode}, expected {expect}\n"
                 f"{p.stdout}\n{p.stderr}")
    return p


def fail(msg):
    sys.exit("FAIL: " + msg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--samples", required=True)
    a = ap.parse_args()
    version = run(a.cli, "--version").stdout
    if "rf" not in version or "cnngru-packet" not in version:
        print(f"SKIP: this build lacks rf or the networks ({version.strip()})")
        return 77
    names = sorted(f for f in os.listdir(a.samples) if ".pcap" in f)
    # The TLS-over-TCP part of the demo set (days 1-3; days 4-5 are QUIC):
    # the ground truth says which file carries what.
    truth = os.path.join(a.samples, "ground_truth.csv")
    if os.path.exists(truth):
        with open(truth, newline="") as f:
            quic = {r["capture"] for r in csv.DictReader(f) if r.get("transport") == "quic"}
        names = [n for n in names if n not in quic]
    if len(names) < 2:
        print(f"SKIP: fewer than two captures in {a.samples}")
        return 77
    train_files = [os.path.join(a.samples, n) for n in names[:-1]]
    held_out = os.path.join(a.samples, names[-1])

    with tempfile.TemporaryDirectory() as tmp:
        cat = os.path.join(tmp, "c.sqlite")
        run(a.cli, "ingest", "--quiet", "--catalog", cat, *train_files)

        # --- evaluate with a network and an ensemble ---
        ens = "0.5*rf+0.5*cnngru-packet"
        p = run(a.cli, "evaluate", "--quiet", "--catalog", cat, "--thresholds", "100",
                "--models", f"rf,cnngru-packet,{ens}", "--folds", "2", "--epochs", "3",
                "--trees", "40", "--device", "auto")
        for name in ("rf", "cnngru-packet", ens):
            if not re.search(rf"{re.escape(name)} accuracy", p.stdout):
                fail(f"grid lacks {name}:\n{p.stdout}")
        run_id = re.search(r"^run (\d+):", p.stdout, re.M).group(1)
        rep = os.path.join(tmp, "report")
        run(a.cli, "report", "--catalog", cat, "--run", run_id, "--out", rep)
        with open(os.path.join(rep, "epochs.csv")) as f:
            epochs = list(csv.DictReader(f))
        if {e["model"] for e in epochs} != {"cnngru-packet"}:
            fail(f"epochs.csv models: {({e['model'] for e in epochs})}")
        if {e["fold"] for e in epochs} != {"0", "1"}:
            fail("epochs.csv lacks a fold")
        for fold in ("0", "1"):
            got = sorted(int(e["epoch"]) for e in epochs if e["fold"] == fold)
            if got != list(range(1, len(got) + 1)) or not 1 <= len(got) <= 3:
                fail(f"fold {fold} epochs {got}")
        if not os.path.exists(os.path.join(rep, "confusion", "0.5_rf+0.5_cnngru-packet_T100.csv")):
            fail(f"no file-safe confusion file: {os.listdir(os.path.join(rep, 'confusion'))}")
        with open(os.path.join(rep, "predictions.csv")) as f:
            preds = [r for r in csv.DictReader(f) if r["model"] == ens]
        with open(os.path.join(rep, "summary.csv")) as f:
            summary = [r for r in csv.DictReader(f) if r["model"] == ens]
        recomputed = sum(r["correct"] == "1" for r in preds) / len(preds)
        mean_col = next(k for k in summary[0] if k.startswith("accuracy"))
        # Folds are near-equal halves: the mean of fold accuracies and the
        # pooled accuracy agree closely.
        if abs(float(summary[0][mean_col]) - recomputed) > 0.01:
            fail(f"ensemble accuracy {summary[0][mean_col]} vs predictions {recomputed}")

        if "devices: cpu, cuda" not in version:
            p = run(a.cli, "evaluate", "--quiet", "--catalog", cat, "--models", "cnngru-packet",
                    "--device", "cuda", expect=1)
            if "device cuda requested but not available" not in p.stderr:
                fail(f"--device cuda without CUDA: {p.stderr}")

        # --- LibTorch is a module opened on first use: without it, a network
        # fails before any work with the loader's reason; rf never needs it ---
        broken = dict(os.environ, OMP_WAIT_POLICY="PASSIVE",
                      SNILAB_TORCH_MODULE=os.path.join(tmp, "absent", "libsnilab_torch.so"))
        p = subprocess.run([a.cli, "evaluate", "--quiet", "--catalog", cat, "--models", "cnn"],
                           capture_output=True, text=True, env=broken)
        if p.returncode == 0 or "could not load the LibTorch module" not in p.stderr:
            fail(f"a network without its module: exit {p.returncode}\n{p.stderr}")
        p = subprocess.run([a.cli, "evaluate", "--quiet", "--catalog", cat, "--models", "rf",
                            "--folds", "2", "--trees", "10"],
                           capture_output=True, text=True, env=broken)
        if p.returncode != 0:
            fail(f"rf needs no LibTorch module, yet: exit {p.returncode}\n{p.stderr}")

        # --- model file round trip on the held-out capture ---
        model = os.path.join(tmp, "m.snilab")
        p = run(a.cli, "train", "--quiet", "--catalog", cat, "--threshold", "100", "--models",
                "paper", "--epochs", "4", "--trees", "60", "--out", model)
        if "predict uses paper" not in p.stdout:
            fail(p.stdout)
        out = os.path.join(tmp, "p.csv")
        p = run(a.cli, "predict", "--quiet", "--model", model, "--out", out, held_out)
        m = re.search(r"accuracy ([0-9.]+) on the (\d+) connections", p.stdout)
        if not m:
            fail(p.stdout)
        with open(out) as f:
            rows = list(csv.DictReader(f))
        alone = os.path.join(tmp, "held.sqlite")
        q = run(a.cli, "ingest", "--catalog", alone, held_out)
        n = int(re.search(r"(\d+) connections \(\d+ QUIC\),", q.stdout).group(1))
        if len(rows) != n:
            fail(f"predict wrote {len(rows)} rows, the capture has {n} connections")
        known = [r for r in rows if r["known_class"] == "1"]
        acc = sum(r["correct"] == "1" for r in known) / len(known)
        if abs(acc - float(m.group(1))) > 0.0006 or len(known) != int(m.group(2)):
            fail(f"printed accuracy {m.group(1)} on {m.group(2)}, CSV {acc} on {len(known)}")
        if acc < 0.7:
            fail(f"held-out accuracy {acc} (14 classes: chance is ~0.07)")
        for r in rows[:50]:
            top = r["top"].split(";")
            if len(top) != 3 or top[0].split(":")[0] != r["predicted"]:
                fail(f"bad top column {r}")
        listed = run(a.cli, "predict", "--model", model, "--use", "list").stdout.split()
        for name in ("paper", "rf", "cnngru-packet", "cnngru-payload", "cnngru-iat"):
            if name not in listed:
                fail(f"--use list lacks {name}: {listed}")
        run(a.cli, "predict", "--quiet", "--model", model, "--use", "rf", "--out", out, held_out)
        # --digits: the same predictions with more decimals, rounding to the
        # four-decimal ones; --device cpu gives the same; bad values refused.
        fine = os.path.join(tmp, "p9.csv")
        run(a.cli, "predict", "--quiet", "--model", model, "--out", fine, "--digits", "9",
            "--device", "cpu", held_out)
        with open(fine) as f:
            fine_rows = list(csv.DictReader(f))
        if len(fine_rows) != len(rows):
            fail(f"--digits 9 wrote {len(fine_rows)} rows, not {len(rows)}")
        for r, q in zip(rows, fine_rows):
            if len(q["probability"].split(".")[1]) != 9 or q["predicted"] != r["predicted"]:
                fail(f"--digits 9: {q['probability']} {q['predicted']} vs {r['predicted']}")
            if abs(float(q["probability"]) - float(r["probability"])) > 0.00005 + 1e-12:
                fail(f"--digits 9: {q['probability']} does not round to {r['probability']}")
            if q["top"].split(";")[0].split(":")[-1] != q["probability"]:
                fail(f"--digits 9: top column {q['top']}")
        for bad_args, why in ((["--digits", "0"], "--digits must be between 1 and 17"),
                              (["--digits", "18"], "--digits must be between 1 and 17"),
                              (["--device", "tpu"], "--device must be auto, cpu or cuda"),
                              (["--top", "0"], "--top must be between 1 and 1000"),
                              (["--top", "4294967297"], "--top must be between 1 and 1000"),
                              (["--digits", "4294967300"], "--digits must be between 1 and 17")):
            p = run(a.cli, "predict", "--model", model, "--out", os.path.join(tmp, "x.csv"),
                    *bad_args, held_out, expect=2)
            if why not in p.stderr or os.path.exists(os.path.join(tmp, "x.csv")):
                fail(f"{bad_args}: {p.stderr}")
        p = run(a.cli, "predict", "--model", model, "--use", "svm", "--out", out, held_out,
                expect=2)

        # --- bad model files ---
        data = open(model, "rb").read()
        bad = os.path.join(tmp, "bad.snilab")
        with open(bad, "wb") as f:
            f.write(data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 1]) + data[len(data) // 2 + 1:])
        p = run(a.cli, "predict", "--model", bad, "--out", out, held_out, expect=1)
        if "checksum mismatch" not in p.stderr:
            fail(p.stderr)
        p = run(a.cli, "predict", "--model", held_out, "--out", out, held_out, expect=1)
        if "not a snilab model file" not in p.stderr:
            fail(p.stderr)

        p = run(a.cli, "train", "--quiet", "--catalog", cat, "--threshold", "100000", "--out",
                os.path.join(tmp, "none.snilab"), expect=1)
        if "nothing to train" not in p.stderr or os.path.exists(os.path.join(tmp, "none.snilab")):
            fail(p.stderr)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
