#!/usr/bin/python3
"""Runs every Graft benchmark next to its peer on this machine, in one run, and writes
docs/benchmarks.md (and the raw figures as JSON beside it).

Usage: bench/run_all.py [--build DIR] [--shared DIR] [--out docs/benchmarks.md] [--quick]

Both sides of every comparison get the same threads (2 unless --threads), the same glibc malloc
tuning and the same OpenBLAS (shared/PERFORMANCE.md explains why each matters).
Needs /usr/bin/python3 with Debian's python3-torch and python3-torchvision for the peers."""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared", "data"))
    p.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--quick", action="store_true", help="fewer repeats, 10k images for memory")
    p.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    p.add_argument("--render-only", action="store_true", help="rewrite the page from the JSON beside --out")
    p.add_argument("--only", default=None,
                   help="comma-separated sections to re-measure (decode, forward, transfer, finetune, "
                        "memory, gui); the others are kept from the JSON beside --out")
    return p.parse_args()


ARGS = parse_args()
ENV = dict(os.environ)
ENV.update({"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": "17179869184",
            "MALLOC_TOP_PAD_": "1073741824", "OMP_NUM_THREADS": str(ARGS.threads)})
ENV.pop("OPENBLAS_CORETYPE", None)
ENV.pop("OPENBLAS_L2_SIZE", None)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def run(cmd, env=None, timeout=1800):
    """Runs cmd; returns (stdout, wall seconds, peak RSS MiB of the process)."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "__RSS__ %M"] + cmd, env=env or ENV,
                       capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    m = re.search(r"__RSS__ (\d+)", p.stderr)
    return p.stdout, wall, (int(m.group(1)) / 1024 if m else None)


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line in output:\n" + text[-2000:])


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    def pkg(name):
        try:
            return subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True,
                                  text=True).stdout.strip() or "?"
        except OSError:
            return "?"
    torch_v = subprocess.run([PY, "-c", "import torch, torchvision; print(torch.__version__, torchvision.__version__)"],
                             capture_output=True, text=True).stdout.split()
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "threads": ARGS.threads, "memory_gib": round(mem_gb, 1),
            "kernel": platform.release(), "libtorch": pkg("libtorch-dev"), "opencv": pkg("libopencv-dev"),
            "qt": pkg("qt6-base-dev"), "openblas": pkg("libopenblas0-openmp"), "glibc": pkg("libc6"),
            "python_torch": torch_v[0] if torch_v else "?", "torchvision": torch_v[1] if len(torch_v) > 1 else "?",
            "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M")}


def bench_decode(hym):
    epochs = "2" if ARGS.quick else "3"
    g = last_json(run([f"{ARGS.build}/bench/graft-bench-decode", hym, epochs, str(ARGS.threads), "224"])[0])
    p = last_json(run([PY, f"{HERE}/peer_decode.py", hym, epochs, str(ARGS.threads), "224"])[0])
    return {"graft": g["images_per_second"], "peer": p["images_per_second"],
            "ratio": g["images_per_second"] / p["images_per_second"]}


def bench_forward(weights):
    it = "4" if ARGS.quick else "8"
    t = str(ARGS.threads)
    fwd = f"{ARGS.build}/bench/graft-bench-forward"
    gemm = last_json(run([fwd, weights, "gemm", "20", t])[0])["gflops"]
    out = {"gemm_gflops": gemm}
    # Same architecture on both sides: torchvision's mobilenet_v2 (random weights: timing does
    # not depend on them), batch 32, 224 px. Graft's trainer uses channels_last.
    for mode, iters in (("features", it), ("train", str(max(3, int(it) // 2)))):
        gs, ps = [], []
        for _ in range(3 if ARGS.quick else 5):  # interleaved repeats, median of each: this VM is noisy
            gs.append(last_json(run([fwd, weights, "mobilenet_v2", iters, t, "1", mode, "random"])[0])["images_per_second"])
            ps.append(last_json(run([PY, f"{HERE}/peer_forward.py", iters, t, "1", mode])[0])["images_per_second"])
        pn = last_json(run([PY, f"{HERE}/peer_forward.py", iters, t, "0", mode])[0])["images_per_second"]
        coral = last_json(run([fwd, weights, "mobilenet_v2_imagenet", iters, t, "1", mode])[0])["images_per_second"]
        g, pc = statistics.median(gs), statistics.median(ps)
        out[mode] = {"graft": g, "peer_channels_last": pc, "peer_nchw": pn, "graft_runs": gs, "peer_runs": ps,
                     "graft_coral_mobilenet_v2": coral, "ratio": g / pc}
    # MobileNetV2 at 224 px: 300 M multiply-adds = 0.60 GFLOP per image forward (Sandler et al.
    # 2018, table 8); a training step is ~3x that (forward, input and weight gradients).
    out["features"]["limit"] = gemm / 0.60
    out["train"]["limit"] = gemm / 1.80
    return out


def bench_transfer(hym, weights, work):
    repeats = 2 if ARGS.quick else 3
    cli = f"{ARGS.build}/app/graft-cli"
    def graft(tag, cache):
        rep = os.path.join(work, f"{tag}.json")
        _, wall, rss = run([cli, "train", "--data", hym, "--backbone", "mobilenet_v2_imagenet",
                            "--weights-dir", weights, "--epochs", "10", "--threads", str(ARGS.threads),
                            "--cache-dir", cache, "--export", os.path.join(work, f"{tag}.pt"),
                            "--report", rep, "--quiet"])
        r = json.load(open(rep))
        r["process_wall"] = wall
        r["peak_rss_mib"] = rss
        return r
    colds = []
    for i in range(repeats):
        cache = os.path.join(work, f"cache{i}")
        shutil.rmtree(cache, ignore_errors=True)
        colds.append(graft(f"cold{i}", cache))
    warm = graft("warm", os.path.join(work, "cache0"))
    bs = []
    for _ in range(2 if not ARGS.quick else 1):
        out, wall, rss = run([PY, f"{HERE}/peer_transfer.py", "B", hym, "10", str(ARGS.threads)])
        b = last_json(out)
        b["process_wall"] = wall
        bs.append(b)
    a_out, a_wall, _ = run([PY, f"{HERE}/peer_transfer.py", "A", hym, "1" if ARGS.quick else "2", str(ARGS.threads)])
    a = last_json(a_out)
    a_epoch = statistics.mean(a["epoch_seconds"])
    a10 = a_epoch * 10 + (a_wall - sum(a["epoch_seconds"]))
    cold = sorted(colds, key=lambda r: r["process_wall"])[len(colds) // 2]
    b_wall = statistics.median(b["process_wall"] for b in bs)
    # Time for Graft to first reach 94 % validation accuracy in the cold run: start-up, scan,
    # features, then epochs until the first one at >= 94 % (its end).
    startup = cold["process_wall"] - cold["wall_seconds"]
    t94 = None
    acc = startup + cold["timings"]["scan"] + cold["timings"]["setup"] + cold["feature_seconds"]
    for e in cold["epochs"]:
        acc += e["seconds"]
        if e["val_accuracy"] >= 0.94:
            t94 = acc
            break
    # The peer tutorial script (A) needs at least its model set-up and one epoch to report any
    # accuracy; with pretrained weights that is the earliest it could show 94 %.
    a_first = a_wall - sum(a["epoch_seconds"]) + a["epoch_seconds"][0]
    return {"graft_cold": [r["process_wall"] for r in colds], "graft_cold_median": cold["process_wall"],
            "graft_cold_accuracy": cold["val_accuracy"], "graft_timings": cold["timings"],
            "graft_feature_seconds": cold["feature_seconds"], "graft_startup": startup,
            "graft_export": cold.get("export", {}), "graft_warm": warm["process_wall"],
            "graft_peak_rss_mib": cold["peak_rss_mib"],
            "peer_b": [b["process_wall"] for b in bs], "peer_b_median": b_wall,
            "peer_a_epoch": a_epoch, "peer_a_10": a10, "peer_a_epochs_measured": len(a["epoch_seconds"]),
            "ratio_b": b_wall / cold["process_wall"], "ratio_a": a10 / cold["process_wall"],
            "graft_time_to_94": t94, "peer_a_time_to_first_epoch": a_first,
            "ratio_time_to_94": (a_first / t94) if t94 else None}


def bench_finetune(hym, weights, work):
    rep = os.path.join(work, "finetune.json")
    _, wall, _ = run([f"{ARGS.build}/app/graft-cli", "train", "--data", hym, "--backbone",
                      "mobilenet_v2_imagenet", "--weights-dir", weights, "--recipe", "fine-tune",
                      "--epochs", "8", "--head-epochs", "4", "--threads", str(ARGS.threads),
                      "--cache-dir", os.path.join(work, "cache-ft"), "--report", rep, "--quiet"])
    r = json.load(open(rep))
    return {"wall": wall, "val_accuracy": r["val_accuracy"], "best_epoch": r["best_epoch"],
            "curve": [e["val_accuracy"] for e in r["epochs"]]}


def bench_memory(work):
    n = 10000 if ARGS.quick else 100000
    folder = os.path.join(work, f"synthetic{n}")
    out, wall, rss = run([f"{ARGS.build}/bench/graft-bench-memory", folder, str(n), "64"])
    g = last_json(out)
    g["process_peak_rss_mib"] = rss
    small = last_json(run([f"{ARGS.build}/bench/graft-bench-memory", os.path.join(work, "synthetic10k"), "10000", "64"])[0])
    pout, pwall, prss = run([PY, f"{HERE}/peer_decode.py", folder, "1", str(ARGS.threads), "64"])
    p = last_json(pout)
    return {"files": n, "graft": g, "graft_10k_peak_rss_mib": small["peak_rss_mib"],
            "peer_peak_rss_mib": prss, "peer_seconds": p["seconds"], "peer_images_per_second": p["images_per_second"]}


def bench_gui():
    env = dict(ENV)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["GRAFT_SHARED_DATA"] = os.path.abspath(ARGS.shared)
    exe = f"{ARGS.build}/tests/tst_TrainingFlow"
    if not os.path.exists(exe):
        return None
    p = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=600)
    m = re.search(r"max event-loop gap (\d+) ms", p.stdout + p.stderr)
    s = re.search(r"stop latency (\d+) ms", p.stdout + p.stderr)
    return {"max_gap_ms": int(m.group(1)) if m else None, "stop_ms": int(s.group(1)) if s else None,
            "passed": p.returncode == 0}


def fmt(x, d=1):
    return "n/a" if x is None else f"{x:.{d}f}"


def render(r):
    m = r["machine"]
    L = []
    w = L.append
    w("# Benchmarks")
    w("")
    w(f"Written by `bench/run_all.py` ({m['date']}); each comparison below ran Graft and its peer "
      "side by side in the same run.")
    w(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']}. "
      f"Libraries: LibTorch {m['libtorch']}, PyTorch {m['python_torch']} / torchvision {m['torchvision']} "
      f"(the peers), OpenCV {m['opencv']}, Qt {m['qt']}, OpenBLAS (OpenMP) {m['openblas']}, glibc {m['glibc']}.")
    w(f"Both sides of each comparison: {m['threads']} threads, the same glibc malloc tuning "
      "(`MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=1073741824`), the "
      "same OpenBLAS. This VM is noisy (10-30 % between runs); where a figure is a median or best of "
      "several runs, the table says so. Re-run: `bench/run_all.py` (about 8 minutes).")
    w("")
    d = r["decode"]
    w("## Decode + resize + normalise")
    w("All 398 hymenoptera photos to 224x224 floats, batch 32, 2 workers.")
    w("")
    w("| | images/s |")
    w("|---|---|")
    w(f"| Graft `BatchPipeline` | {d['graft']:.0f} |")
    w(f"| torchvision `ImageFolder` + `DataLoader(num_workers=2)` | {d['peer']:.0f} |")
    w(f"| **ratio** | **{d['ratio']:.2f}x** (goal >= 2x: {'met' if d['ratio'] >= 2 else 'NOT met'}) |")
    w("")
    f = r["forward"]
    w("## Feature extraction and fine-tune training step (MobileNetV2, batch 32, 224 px)")
    w("Same architecture on both sides (torchvision's `mobilenet_v2`; Graft builds it natively), "
      "channels_last, median of 5 interleaved runs each (3 with --quick; every run is in benchmarks.json). Machine limit: measured single-precision GEMM "
      f"throughput ({f['gemm_gflops']:.0f} GFLOP/s at {m['threads']} threads) divided by the model's "
      "FLOPs per image (0.60 GFLOP forward, ~1.8 GFLOP for a training step).")
    w("")
    w("| | Graft img/s | PyTorch channels_last | PyTorch NCHW | ratio (vs channels_last) | machine limit | Graft's Coral MobileNetV2 |")
    w("|---|---|---|---|---|---|---|")
    for k, name in (("features", "frozen forward (feature extraction)"), ("train", "training step, all layers")):
        x = f[k]
        goal = " (goal >= 1x: " + ("met" if x["ratio"] >= 1 else "NOT met") + ")" if k == "train" else ""
        w(f"| {name} | {x['graft']:.1f} | {x['peer_channels_last']:.1f} | {x['peer_nchw']:.1f} | "
          f"**{x['ratio']:.2f}x**{goal} | {x['limit']:.0f} | {x['graft_coral_mobilenet_v2']:.1f} |")
    w("")
    t = r["transfer"]
    w("## Feature-extractor job on hymenoptera, end to end")
    w("MobileNetV2 (ImageNet), frozen, linear head, 10 epochs. All times are whole processes "
      "(start-up included). Graft's run also exports TorchScript, re-loads it and checks it on the "
      "153 validation images; the peers do not export.")
    w("")
    w("| | wall time | note |")
    w("|---|---|---|")
    w(f"| Graft, cold feature cache | {t['graft_cold_median']:.2f} s (median of {', '.join(fmt(x, 2) for x in t['graft_cold'])}) | val accuracy {t['graft_cold_accuracy']*100:.1f} %, peak RSS {fmt(t['graft_peak_rss_mib'], 0)} MiB |")
    w(f"| Graft, warm feature cache | {t['graft_warm']:.2f} s | |")
    w(f"| Peer B: PyTorch, features precomputed once | {t['peer_b_median']:.2f} s (median of {', '.join(fmt(x, 2) for x in t['peer_b'])}) | |")
    w(f"| Peer A: PyTorch tutorial, no cache | {t['peer_a_10']:.1f} s ({t['peer_a_epochs_measured']} epochs measured at {t['peer_a_epoch']:.1f} s, 10 extrapolated) | |")
    w(f"| **B / Graft (cold)** | **{t['ratio_b']:.2f}x** (goal >= 4x: {'met' if t['ratio_b'] >= 4 else 'NOT met'}; Graft under 10 s: {'met' if t['graft_cold_median'] < 10 else 'NOT met'}) | |")
    w(f"| **A / Graft (cold)** | **{t['ratio_a']:.1f}x** | |")
    w("")
    tm = t["graft_timings"]
    w(f"Where Graft's cold run goes: {t['graft_startup']:.2f} s process start-up and exit (loading "
      f"LibTorch, OpenCV and their ~290 libraries), {tm['scan']:.2f} s scan, {tm['setup']:.2f} s "
      f"backbone set-up, {t['graft_feature_seconds']:.2f} s features for 398 images, "
      f"{tm['train'] - t['graft_feature_seconds']:.2f} s for the 10 head epochs, {tm.get('export', 0):.2f} s "
      "export + re-load + verification.")
    w("")
    w("### Time to 94 % validation accuracy")
    w(f"Graft (cold, from process start): **{fmt(t['graft_time_to_94'], 2)} s**. The standard PyTorch "
      "transfer-learning script (peer A) cannot report any accuracy before its first epoch ends: "
      f"{t['peer_a_time_to_first_epoch']:.1f} s from process start here, so Graft is at least "
      f"**{fmt(t['ratio_time_to_94'])}x** faster to 94 %. (No pretrained torchvision weights are "
      "available offline, so the peer runs random weights; its timing does not depend on them.)")
    w("")
    ft = r["finetune"]
    w("## Fine-tuning accuracy")
    w(f"`graft-cli train --recipe fine-tune --epochs 8 --head-epochs 4` (top 2 groups, augmentation): "
      f"**{ft['val_accuracy']*100:.1f} %** (best epoch {ft['best_epoch']}; per epoch "
      f"{', '.join(f'{a*100:.1f}' for a in ft['curve'])}), {ft['wall']:.1f} s.")
    w("")
    mm = r["memory"]
    g = mm["graft"]
    w(f"## Memory: streaming run over a synthetic {mm['files']:,}-image folder")
    w(f"`graft-bench-memory` makes {mm['files']:,} distinct 64x48 JPEGs in two classes, scans them "
      "(headers, SHA-256 duplicates) and streams one decode + preprocess pass (64 px, batch 32, 2 "
      "workers). Resident memory is sampled every 10 % of the pass.")
    w("")
    w("| | value |")
    w("|---|---|")
    w(f"| RSS after scan | {g['rss_after_scan_mib']:.0f} MiB |")
    w(f"| RSS at 10 % / 100 % of the pass | {g['rss_curve'][0]['rss_mib']:.0f} / {g['rss_curve'][-1]['rss_mib']:.0f} MiB |")
    w(f"| **growth during the pass** | **{g['rss_growth_during_pass_mib']:.1f} MiB** |")
    w(f"| peak RSS, {mm['files']:,} files | {g['peak_rss_mib']:.0f} MiB |")
    w(f"| peak RSS, 10,000 files | {mm['graft_10k_peak_rss_mib']:.0f} MiB |")
    w(f"| scan / pass time | {g['scan_seconds']:.1f} s / {g['pass_seconds']:.1f} s ({g['images_decoded']/g['pass_seconds']:.0f} img/s) |")
    w(f"| peer: torchvision ImageFolder + DataLoader, same folder, main process peak RSS | {fmt(mm['peer_peak_rss_mib'], 0)} MiB, {mm['peer_images_per_second']:.0f} img/s |")
    w("")
    gui = r.get("gui")
    w("## GUI responsiveness")
    if gui and gui["max_gap_ms"] is not None:
        w(f"`tests/tst_TrainingFlow` (offscreen) trains in the GUI while a 10 ms timer measures the "
          f"event loop: longest stall **{gui['max_gap_ms']} ms** (limit 100 ms); Stop to idle "
          f"{fmt(gui['stop_ms'], 0)} ms.")
    else:
        w("tst_TrainingFlow was not available in this build.")
    w("")
    return "\n".join(L) + "\n"


def main():
    if ARGS.render_only:
        with open(os.path.splitext(ARGS.out)[0] + ".json") as f:
            text = render(json.load(f))
        with open(ARGS.out + ".tmp", "w") as f:
            f.write(text)
        os.replace(ARGS.out + ".tmp", ARGS.out)
        return
    hym = os.path.join(ARGS.shared, "images", "hymenoptera")
    weights = os.path.join(ARGS.shared, "weights")
    if not os.path.isdir(hym):
        sys.exit(f"shared data not found at {ARGS.shared} (need images/hymenoptera and weights)")
    work = ARGS.work or tempfile.mkdtemp(prefix="graft-bench-")
    os.makedirs(work, exist_ok=True)
    r = {"machine": machine()}
    only = set(ARGS.only.split(",")) if ARGS.only else None
    raw = os.path.splitext(ARGS.out)[0] + ".json"
    if only:
        with open(raw) as f:
            r = json.load(f)
        r["machine"]["date"] += f"; re-measured {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}: {ARGS.only}"
    for name, fn in (("decode", lambda: bench_decode(hym)), ("forward", lambda: bench_forward(weights)),
                     ("transfer", lambda: bench_transfer(hym, weights, work)),
                     ("finetune", lambda: bench_finetune(hym, weights, work)),
                     ("memory", lambda: bench_memory(work)), ("gui", bench_gui)):
        if only and name not in only:
            continue
        log(f"== {name}")
        t = time.perf_counter()
        r[name] = fn()
        log(f"   {time.perf_counter() - t:.0f} s: {json.dumps(r[name])[:300]}")
    text = render(r)
    with open(ARGS.out + ".tmp", "w") as f:
        f.write(text)
    os.replace(ARGS.out + ".tmp", ARGS.out)
    with open(raw + ".tmp", "w") as f:
        json.dump(r, f, indent=1)
    os.replace(raw + ".tmp", raw)
    if not ARGS.work:
        shutil.rmtree(work, ignore_errors=True)
    print(text)


if __name__ == "__main__":
    main()
