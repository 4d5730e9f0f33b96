# Runs opcases.txt under real PyTorch; weights and inputs by the formula of TorchCrossCheckTest.fill.
import json, math, sys
import numpy as np
import torch
T = ("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nimport math\n"
     "class Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.m = %s\n"
     "    def forward(self, %s):\n        return %s\n"
     "def get_inputs():\n    return [%s]\ndef get_init_inputs():\n    return []\n")


def fill(shape, dtype, salt, kind):
    n = int(np.prod(shape)) if shape else 1
    h = (np.arange(n, dtype=np.uint64) * np.uint64(2654435761) + np.uint64(salt * 97531 + 12345)) % np.uint64(2 ** 32)
    if dtype == torch.bool:
        return torch.from_numpy((h % np.uint64(2)).astype(np.bool_).reshape(shape))
    if not dtype.is_floating_point:
        return torch.from_numpy((h % np.uint64(2)).astype(np.int64).reshape(shape)).to(dtype)
    u = h.astype(np.float64) / 2.0 ** 32
    if kind == "param":
        v = (2 * u - 1) * (1.0 / math.sqrt(n / shape[0]) if len(shape) >= 2 else 0.5)
    else:
        v = u if kind == "input0" else (2 * u - 1) * 2.0
    return torch.from_numpy(v.astype(np.float32).reshape(shape)).to(dtype)


def num(v):
    return v if math.isfinite(v) else str(v)


def summ(t):
    flat = t.detach().reshape(-1).to(torch.float64)
    n = flat.numel()
    pos = list(range(n)) if n <= 64 else [(k * 2654435761 + 7) % n for k in range(64)]
    fin = torch.isfinite(flat)
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "sum": float(flat[fin].sum()),
            "abssum": float(flat[fin].abs().sum()), "nonfinite": int((~fin).sum()), "samples": [num(float(flat[p])) for p in pos]}


def flat(o):
    if isinstance(o, torch.Tensor):
        return [o]
    return [y for x in o for y in flat(x)]


R = []
for line in open(sys.argv[1]):
    if not line.strip() or line.startswith("#"):
        continue
    c = tuple(p.strip() for p in line.split(";;"))
    try:
        ns = {}
        exec(T % c, ns)
        torch.manual_seed(42)
        m = ns["Model"]()
        sd = m.state_dict()
        m.load_state_dict({k: (fill(list(v.shape), v.dtype, 1000 + i, "param") if v.dtype.is_floating_point else v)
                           for i, (k, v) in enumerate(sd.items())})
        tr = []
        for trial in range(2):
            torch.manual_seed(43 + trial)
            xs, f, j = ns["get_inputs"](), [], 0
            for x in xs:
                if isinstance(x, torch.Tensor):
                    f.append(fill(list(x.shape), x.dtype, 10 + j, "input%d" % trial))
                    j += 1
                else:
                    f.append(x)
            with torch.no_grad():
                tr.append([summ(y) for y in flat(m(*f))])
        R.append({"case": line.strip(), "keys": list(sd.keys()), "trials": tr})
    except BaseException as e:
        R.append({"case": line.strip(), "error": repr(e)})
json.dump(R, open(sys.argv[2], "w"))
