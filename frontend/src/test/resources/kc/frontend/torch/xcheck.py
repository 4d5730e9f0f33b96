"""Cross-check of kc's torch library against real PyTorch without shipping tensors: weights and inputs are
filled by a formula both sides compute exactly (TorchCrossCheckTest does the same in Java), and each output is
summarised by its shape, dtype, sums and values at fixed sample positions.

Usage: python3 xcheck.py JOBS.jsonl KB_ROOT OUT.json   (JOBS lines: {"file": rel, "defines": {...}})
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../../../../../runtime/src/main/resources/kc/runtime"))
import numpy as np
import torch
import torch_reference as ref

SAMPLES = 64


def fill(shape, dtype, salt, kind):
    n = int(np.prod(shape)) if len(shape) > 0 else 1
    i = np.arange(n, dtype=np.uint64)
    h = (i * np.uint64(2654435761) + np.uint64(salt * 97531 + 12345)) % np.uint64(2 ** 32)
    if dtype in (torch.bool,):
        return torch.from_numpy((h % np.uint64(2)).astype(np.bool_).reshape(shape))
    if not dtype.is_floating_point:
        return torch.from_numpy((h % np.uint64(2)).astype(np.int64).reshape(shape)).to(dtype)
    u = h.astype(np.float64) / 2.0 ** 32
    if kind == "param":
        scale = 1.0 / math.sqrt(n / shape[0]) if len(shape) >= 2 else 0.5
        v = (2 * u - 1) * scale
    elif kind == "input0":
        v = u
    else:
        v = (2 * u - 1) * 2.0
    return torch.from_numpy(v.astype(np.float32).reshape(shape)).to(dtype)


def summary(t):
    t = t.detach().cpu()
    flat = t.reshape(-1).to(torch.float64) if t.dtype != torch.bool else t.reshape(-1).to(torch.float64)
    n = flat.numel()
    positions = list(range(n)) if n <= SAMPLES else [(k * 2654435761 + 7) % n for k in range(SAMPLES)]
    finite = torch.isfinite(flat)
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
            "sum": float(flat[finite].sum()), "abssum": float(flat[finite].abs().sum()),
            "nonfinite": int((~finite).sum()), "samples": [num(float(flat[p])) for p in positions]}


def num(v):
    return v if math.isfinite(v) else str(v)


def run(job, root):
    path = os.path.join(root, job["file"])
    code = ref.load_source(path, job.get("defines", {}))
    ns = {"__name__": "kc_problem", "__file__": path}
    exec(code, ns)
    torch.manual_seed(42)
    model = ns["Model"](*ns["get_init_inputs"]())
    sd = model.state_dict()
    keys = list(sd.keys())
    new_sd = {}
    for k, key in enumerate(keys):
        v = sd[key]
        new_sd[key] = fill(list(v.shape), v.dtype, 1000 + k, "param") if v.dtype.is_floating_point else v
    model.load_state_dict(new_sd)
    trials = []
    for trial in range(2):
        torch.manual_seed(43 + trial)
        inputs = ns["get_inputs"]()
        filled = []
        t_index = 0
        for x in inputs:
            if isinstance(x, torch.Tensor):
                filled.append(fill(list(x.shape), x.dtype, 10 + t_index, "input%d" % trial))
                t_index += 1
            else:
                filled.append(x)
        with torch.no_grad():
            outs = ref.flatten_outputs(model(*filled))
        trials.append([summary(o) for o in outs])
    return {"file": job["file"], "keys": keys, "trials": trials}


def main():
    jobs_file, root, out = sys.argv[1], sys.argv[2], sys.argv[3]
    ref.disable_dropout()
    torch.set_num_threads(os.cpu_count() or 1)
    results = []
    with open(jobs_file) as f:
        jobs = [json.loads(l) for l in f if l.strip()]
    for job in jobs:
        try:
            results.append(run(job, root))
        except BaseException as e:
            results.append({"file": job["file"], "error": "%s: %s" % (type(e).__name__, e)})
    with open(out, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
