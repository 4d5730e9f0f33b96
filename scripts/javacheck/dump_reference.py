#!/usr/bin/env python3
"""Writes what scripts/javacheck/JavaClassCheck.java compares a `kc compile --emit java` class with, on a GPU host:

    python3 dump_reference.py OUT FILE_kc.py ...

For each `--emit torch` file (which holds the user's Model): OUT/<name>/weights/<state_dict key>.npy (Model under
seed 42), in<i>.npy (get_inputs() under seed 43), out<o>.npy (Model's float32 outputs, TF32 off) and out64_<o>.npy
(Model in float64 on the same inputs, which arbitrates where the float32 reference is the less exact; left out when
over 8 GB, to keep the files and the time to write them in bounds). Model runs as constructed (training mode: batch
statistics) with dropout as identity, as kc compiles it.
"""
import copy
import importlib.util
import os
import sys

import numpy as np
import torch

FLOAT64_LIMIT = 8 * 1024 ** 3


def flat(result):
    if result is None:
        return []
    if isinstance(result, torch.Tensor):
        return [result]
    return [t for r in result for t in flat(r)]


def main():
    out, files = sys.argv[1], sys.argv[2:]
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    for path in files:
        name = os.path.basename(path).replace("_kc.py", "")
        d = os.path.join(out, name)
        os.makedirs(os.path.join(d, "weights"), exist_ok=True)
        try:
            spec = importlib.util.spec_from_file_location("kc_dump_" + str(abs(hash(name))), path)
            m = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(m)
            torch.manual_seed(42)
            model = m.Model(*m.get_init_inputs()).cuda()
            for layer in model.modules():
                if isinstance(layer, torch.nn.modules.dropout._DropoutNd):
                    layer.p = 0.0
            torch.manual_seed(43)
            with torch.device("cuda"):
                xs = [x.cuda() if isinstance(x, torch.Tensor) else x for x in m.get_inputs()]
            tensors = [x for x in xs if isinstance(x, torch.Tensor)]
            with torch.no_grad():
                ys = flat(model(*xs))
            for k, v in model.state_dict().items():
                np.save(os.path.join(d, "weights", k + ".npy"), v.detach().float().cpu().numpy())
            for i, x in enumerate(tensors):
                np.save(os.path.join(d, "in%d.npy" % i), x.cpu().numpy())
            for o, y in enumerate(ys):
                np.save(os.path.join(d, "out%d.npy" % o), y.float().cpu().numpy())
            small = max(y.numel() for y in ys) * 8 <= FLOAT64_LIMIT
            del ys
            if small:
                model64 = copy.deepcopy(model).double()
                xs64 = [x.double() if isinstance(x, torch.Tensor) and x.is_floating_point() else x for x in xs]
                with torch.no_grad():
                    for o, y in enumerate(flat(model64(*xs64))):
                        np.save(os.path.join(d, "out64_%d.npy" % o), y.cpu().numpy())
                del model64, xs64
            del model, xs
        except Exception as e:
            open(os.path.join(d, "SKIPPED"), "w").write("the reference failed: %s: %s\n" % (type(e).__name__, e))
        torch.cuda.empty_cache()
        print(name, "SKIPPED" if os.path.exists(os.path.join(d, "SKIPPED")) else "written", flush=True)


if __name__ == "__main__":
    main()
