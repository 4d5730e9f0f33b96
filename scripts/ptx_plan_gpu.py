#!/usr/bin/env python3
"""Runs kc's PTX for KernelBench problems on a GPU and compares with PyTorch. Each argument is a bundle folder
written by GpuBundleTest: model.py, defines.json (shrinking overrides), module.ptx, plan.json."""
import ctypes, json, re, sys, types
import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
cuda = ctypes.CDLL("libcuda.so.1")
DT = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
      "I64": torch.int64, "I32": torch.int32, "BOOL": torch.bool}

def check(rc, what):
    if rc != 0:
        name = ctypes.c_char_p(); cuda.cuGetErrorName(rc, ctypes.byref(name))
        raise RuntimeError(f"{what}: {name.value}")

def run(folder):
    src = open(f"{folder}/model.py").read()
    # the shrinking overrides replace the module-level assignments, so that constants derived from them follow
    # (after the name's first top-level assignment, tuple assignments included)
    for k, v in json.load(open(f"{folder}/defines.json")).items():
        m = re.search(rf"^(?![ \t])[\w ,()]*\b{re.escape(k)}\b[\w ,()]*=[^=].*$", src, flags=re.M)
        if m:
            src = src[:m.end()] + f"\n{k} = {v}" + src[m.end():]
    mod2 = types.ModuleType("model")
    exec(compile(src, "model.py", "exec"), mod2.__dict__)
    torch.manual_seed(0)
    model = mod2.Model(*mod2.get_init_inputs()).cuda().eval()
    inputs = [x.cuda() if isinstance(x, torch.Tensor) else x for x in mod2.get_inputs()]
    with torch.no_grad():
        ref = model(*inputs)
    refs = list(ref) if isinstance(ref, (tuple, list)) else [ref]
    plan = json.load(open(f"{folder}/plan.json"))
    state = model.state_dict()
    bufs = {}
    for b in plan["buffers"]:
        dt, shape = DT[b["dtype"]], b["shape"]
        if b["role"] == "INPUT":
            t = inputs[b["index"]]
            t = (t if isinstance(t, torch.Tensor) else torch.tensor(t)).to("cuda", dt).contiguous().reshape(shape)
        elif b["role"] == "PARAM":
            t = state[b["key"]].to(dt).contiguous().reshape(shape)
        elif b["role"] == "CONSTANT":
            t = torch.tensor([float(v) for v in b["values"]], dtype=torch.float64).to("cuda", dt).reshape(shape)
        else:
            t = torch.full(shape, float("nan"), dtype=dt, device="cuda") if dt.is_floating_point else torch.zeros(shape, dtype=dt, device="cuda")
        bufs[b["name"]] = t
    torch.cuda.synchronize()
    ptx = open(f"{folder}/module.ptx", "rb").read() + b"\0"
    m = ctypes.c_void_p()
    check(cuda.cuModuleLoadData(ctypes.byref(m), ptx), "cuModuleLoadData")
    for l in plan["launches"]:
        fn = ctypes.c_void_p()
        check(cuda.cuModuleGetFunction(ctypes.byref(fn), m, l["kernel"].encode()), "get " + l["kernel"])
        ptrs = [ctypes.c_uint64(bufs[a].data_ptr()) for a in l["args"]]
        args = (ctypes.c_void_p * max(1, len(ptrs)))(*[ctypes.cast(ctypes.byref(p), ctypes.c_void_p) for p in ptrs])
        g, bl, dyn = l["grid"], l["block"], l.get("dynamic_shared_bytes", 0)
        if dyn:  # CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
            check(cuda.cuFuncSetAttribute(fn, 8, dyn), "shared memory of " + l["kernel"])
        check(cuda.cuLaunchKernel(fn, g[0], g[1], g[2], bl[0], bl[1], bl[2], dyn, None, args, None), "launch " + l["kernel"])
    check(cuda.cuCtxSynchronize(), "sync")
    outs = sorted([b for b in plan["buffers"] if b["role"] == "OUTPUT"], key=lambda b: b["index"])
    verdicts = []
    for b, r in zip(outs, refs):
        got = bufs[b["name"]].reshape(r.shape).to(torch.float64) if r.dtype != torch.bool else bufs[b["name"]].reshape(r.shape)
        want = r.to(torch.float64) if r.dtype != torch.bool else r
        ok = torch.equal(got, want) if r.dtype == torch.bool else torch.allclose(got, want, atol=1e-4, rtol=1e-4, equal_nan=True)
        err = 0.0 if r.dtype == torch.bool else (got - want).abs().max().item()
        verdicts.append((ok, err))
    ok = all(v[0] for v in verdicts)
    print(f"{'OK ' if ok else 'BAD'} {folder.split('/')[-1]}: {len(plan['launches'])} launches, max abs err {max(v[1] for v in verdicts):.3g}")
    return ok

good = 0
for f in sys.argv[1:]:
    try:
        good += run(f)
    except Exception as e:
        print(f"ERR {f.split('/')[-1]}: {e}")
print(f"{good}/{len(sys.argv) - 1} agree with PyTorch (atol=rtol=1e-4)")
