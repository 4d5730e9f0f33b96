#!/usr/bin/env python3
"""KernelBench-style check of `kc compile --emit torch` files on a GPU (no kc, no Java needed):

    python3 scripts/modelnew_harness.py [--trials 5] [--timing-trials 50] [--out results.tsv] FILE_kc.py ...

For each file (which holds the user's Model beside kc's ModelNew): both are built under the same seed and moved to
the GPU; for each of --trials trials, fresh inputs are drawn (seed + 1 + t) and ModelNew's outputs are compared with
Model's at atol = rtol = 1e-4 (NaN never passes; a file compiled at a reduced precision, tf32 or bf16, at rtol 1e-2
and atol 1e-2 x the reference's root mean square, as kc's verifier judges that class). Where the float32 reference misses, Model in float64 on the same
inputs arbitrates, as kc's own verifier does: the float32 reference may be the less exact of the two. Matmuls and
convolutions run in true float32 (TF32 off), as in kc run; modules run as constructed (training mode:
batch statistics) with dropout as identity, as kc compiles them. Then both are timed as kc bench times: CUDA events,
3 warm-ups, --timing-trials runs each after a 256 MB L2 flush, medians. Prints a table and writes it as TSV.
"""
import argparse
import copy
import importlib.util
import os
import sys
import traceback

import torch

from plan_timer import time_ms  # the same events, warm-ups and L2 flush as plan_timer and kc run --time


def load(path):
    name = "kc_" + os.path.basename(path).replace(".py", "").replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec.loader.exec_module(module)
    return module


def flat(result):
    if result is None:
        return []
    if isinstance(result, torch.Tensor):
        return [result]
    out = []
    for r in result:
        out.extend(flat(r))
    return out


def inputs_for(module, seed):
    torch.manual_seed(seed)
    with torch.device("cuda"):
        xs = module.get_inputs()
    return [x.cuda() if isinstance(x, torch.Tensor) else x for x in xs]


REDUCED = ("tf32", "bf16")  # kc's reduced precision classes: atol relative to the reference's rms


def close(got, want, tol=1e-4, scaled=False, chunk=1 << 26):
    """(passed, max abs error) of got against want, elementwise |got - want| <= atol + tol * |want| with atol = tol
    (or tol x rms(want) where scaled), in float64 a chunk at a time (a float64 copy of a whole 8.6 GB output, and
    its difference, would not fit beside the model)."""
    g, w = got.reshape(-1), want.reshape(-1)
    atol = tol
    if scaled:
        sq = sum(float(w[i:i + chunk].double().nan_to_num(0, 0, 0).square().sum()) for i in range(0, w.numel(), chunk))
        atol = tol * (sq / max(1, w.numel())) ** 0.5
    ok, worst = True, 0.0
    for i in range(0, g.numel(), chunk):
        gc, wc = g[i:i + chunk].double(), w[i:i + chunk].double()
        if torch.isnan(gc).any():
            return False, float("nan")
        diff = (gc - wc).abs()
        ok = ok and bool((diff <= atol + tol * wc.abs()).all()) and not torch.isnan(wc).any()
        worst = max(worst, float(diff.max()))
        del gc, wc, diff
    return ok, worst


def judge(path, trials, timing_trials, seed=42):
    module = load(path)
    torch.manual_seed(seed)
    model = module.Model(*module.get_init_inputs()).cuda()
    torch.manual_seed(seed)
    new = module.ModelNew(*module.get_init_inputs()).cuda()
    # as constructed (training mode: batch norms use batch statistics, as kc compiles them), dropout as identity
    for m in model.modules():
        if isinstance(m, torch.nn.modules.dropout._DropoutNd):
            m.p = 0.0
    precision = getattr(module, "_KC_PLAN", {}).get("precision")
    tol = dict(tol=1e-2, scaled=True) if precision in REDUCED else dict(tol=1e-4)
    worst, arbitrated = 0.0, 0
    for t in range(trials):
        xs = inputs_for(module, seed + 1 + t)
        with torch.no_grad():
            want, got = flat(model(*xs)), flat(new(*xs))
        if len(want) != len(got):
            return "FAIL", "%d outputs, the reference has %d" % (len(got), len(want)), None, None, worst
        for o, (g, w) in enumerate(zip(got, want)):
            if g.shape != w.shape:
                return "FAIL", "output %d is %s, the reference's %s" % (o, list(g.shape), list(w.shape)), None, None, worst
            ok, err = close(g, w, **tol)
            if not ok:  # the float64 model on the same inputs says which side is nearer the truth
                model64 = copy.deepcopy(model).double()
                xs64 = [x.double() if isinstance(x, torch.Tensor) and x.is_floating_point() else x for x in xs]
                with torch.no_grad():
                    exact = flat(model64(*xs64))[o]
                ok, err = close(g, exact, **tol)
                del model64, xs64, exact
                if not ok:
                    return "FAIL", "trial %d output %d: max abs error %.3g" % (t, o, err), None, None, worst
                arbitrated += 1
            worst = max(worst, err)
        del want, got
        torch.cuda.empty_cache()
    xs = inputs_for(module, seed + 1)
    with torch.no_grad():
        kc_ms = time_ms(lambda: new(*xs), timing_trials)
        eager_ms = time_ms(lambda: model(*xs), timing_trials)
    note = "float64 arbitrated %d" % arbitrated if arbitrated else ""
    return "PASS", note, kc_ms, eager_ms, worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--timing-trials", type=int, default=50)
    parser.add_argument("--out", default=None)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    rows = []
    print("%-58s %-7s %10s %10s %9s  %s" % ("file", "verdict", "ModelNew", "Model", "max err", "note"), flush=True)
    for path in args.files:
        try:
            verdict, note, kc_ms, eager_ms, worst = judge(path, args.trials, args.timing_trials)
        except Exception as e:  # one broken file must not stop the rest
            verdict, note, kc_ms, eager_ms, worst = "ERROR", "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""), None, None, 0.0
            traceback.print_exc(file=sys.stderr)
        torch.cuda.empty_cache()
        fmt = lambda v: "-" if v is None else "%.4f" % v
        rows.append((os.path.basename(path), verdict, fmt(kc_ms), fmt(eager_ms), "%.1e" % worst, note))
        print("%-58s %-7s %10s %10s %9s  %s" % rows[-1], flush=True)
    passed = sum(r[1] == "PASS" for r in rows)
    print("%d of %d pass" % (passed, len(rows)))
    if args.out:
        with open(args.out, "w") as f:
            f.write("file\tverdict\tmodelnew_ms\tmodel_ms\tmax_abs_err\tnote\n")
            for r in rows:
                f.write("\t".join(r) + "\n")


if __name__ == "__main__":
    sys.exit(main())
