"""kc's PyTorch reference run: executes a KernelBench-style module file under real PyTorch and writes
its state_dict, inputs and outputs as .npy files with a manifest.json, for kc to compare against.

Usage: python3 torch_reference.py --file F --out DIR [--define NAME=VALUE ...] [--seed 42] [--trials 5]
       python3 torch_reference.py --serve --device cuda --file F --out DIR [--define ...] [--seed 42]
       python3 torch_reference.py --jobs JOBS.jsonl [--seed 42] [--trials 5]

Semantics follow KernelBench: torch.manual_seed(seed) before building the model, training mode (no .eval()),
a fresh seed per trial before drawing inputs. Dropout is the one exception: it is disabled (identity) for the
comparison, because kc cannot reproduce PyTorch's random stream; kc's graph treats dropout as identity too.
Trials alternate two input distributions: get_inputs() as written (uniform [0,1) for KernelBench), and get_inputs()
with torch.rand drawing from a normal distribution (mean 0, std 2: negatives, values far from 0) instead.
"""
import argparse
import ast
import copy
import json
import os
import sys
import types

EXIT_NO_TORCH = 3
EXIT_PROBLEM = 4

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # kc looks for another Python when this one lacks torch
    print("kc-reference: %s" % e, file=sys.stderr)
    sys.exit(EXIT_NO_TORCH)


def disable_dropout():
    """Dropout becomes the identity everywhere (modules, functionals, attention's dropout_p)."""
    identity = lambda input, *args, **kwargs: input
    for name in ("dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"):
        if hasattr(F, name):
            setattr(F, name, identity)
    for name in ("dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout"):
        if hasattr(torch, name):
            setattr(torch, name, identity)
    for cls in (nn.Dropout, nn.Dropout1d if hasattr(nn, "Dropout1d") else None, nn.Dropout2d, nn.Dropout3d,
                nn.AlphaDropout):
        if cls is not None:
            cls.forward = lambda self, input: input


def polyfill_sdpa():
    """PyTorch < 2.0 has no F.scaled_dot_product_attention; supply its documented math (no dropout)."""
    if hasattr(F, "scaled_dot_product_attention"):
        return
    import math

    def sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
        L, S = query.size(-2), key.size(-2)
        scale_factor = 1 / math.sqrt(query.size(-1)) if scale is None else scale
        bias = torch.zeros(L, S, dtype=query.dtype)
        if is_causal:
            bias.masked_fill_(torch.ones(L, S, dtype=torch.bool).tril(0).logical_not(), float("-inf"))
        if attn_mask is not None:
            if attn_mask.dtype == torch.bool:
                bias = bias.masked_fill(attn_mask.logical_not(), float("-inf"))
            else:
                bias = bias + attn_mask
        weights = torch.softmax(query @ key.transpose(-2, -1) * scale_factor + bias, dim=-1)
        return weights @ value

    F.scaled_dot_product_attention = sdpa


def load_source(path, defines):
    """Parses the file and applies -D overrides the way kc does: a module-level assignment to NAME binds VALUE."""
    with open(path, "r", encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    remaining = dict(defines)
    body = []
    for stmt in tree.body:
        body.append(stmt)
        targets = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            targets = [stmt.target]
        names = set()
        for t in targets:
            for node in ast.walk(t):
                if isinstance(node, ast.Name):
                    names.add(node.id)
        for name in sorted(names):
            if name in defines:
                remaining.pop(name, None)
                value = ast.parse(defines[name], mode="eval").body
                assign = ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=value)
                body.append(ast.copy_location(assign, stmt))
    if remaining:
        raise ValueError("-D %s: no module-level assignment" % ", ".join(sorted(remaining)))
    tree.body = body
    ast.fix_missing_locations(tree)
    return compile(tree, path, "exec")


def save(out, sub, index, tensor):
    t = tensor.detach().cpu()
    if t.dtype == torch.bfloat16:
        t = t.float()
    rel = os.path.join(sub, "%d.npy" % index)
    np.save(os.path.join(out, rel), t.numpy())
    return {"file": rel, "shape": list(t.shape), "dtype": str(tensor.dtype).replace("torch.", "")}


def raw_state_dict(model):
    """model.state_dict() with its modules' state-dict hooks set aside: kc accepts such hooks but runs none, so its
    parameters carry the modules' own names (a hook may rename, drop or convert entries)."""
    saved = []
    for m in model.modules():
        for name in ("_state_dict_hooks", "_state_dict_pre_hooks"):
            hooks = getattr(m, name, None)
            if hooks:
                saved.append((hooks, list(hooks.items())))
                hooks.clear()
    try:
        return model.state_dict()
    finally:
        for hooks, items in saved:
            hooks.update(items)


def flatten_outputs(result):
    """forward's tensors in order: nested tuples and lists flattened, None dropped (nanoGPT's loss without targets)."""
    if result is None:
        return []
    if isinstance(result, torch.Tensor):
        return [result]
    if isinstance(result, (tuple, list)):
        flat = []
        for r in result:
            flat.extend(flatten_outputs(r))
        return flat
    raise TypeError("forward returned %s, not tensors" % type(result).__name__)


def flatten_inputs(inputs):
    """The tensors among forward's arguments in order, tuples and lists (a forward taking a tuple of tensors) flattened
    depth first: kc's graph inputs, in the same order (ModelEvaluator.collectInputs). Other values are not inputs."""
    flat = []
    for x in inputs:
        if isinstance(x, torch.Tensor):
            flat.append(x)
        elif isinstance(x, (tuple, list)):
            flat.extend(flatten_inputs(x))
    return flat


def map_inputs(inputs, fn):
    """The inputs with fn applied to every tensor (in flatten_inputs' order), tuples and lists rebuilt as they were."""
    def walk(x):
        if isinstance(x, torch.Tensor):
            return fn(x)
        if isinstance(x, tuple) and hasattr(x, "_fields"):  # a namedtuple
            return type(x)(*[walk(y) for y in x])
        if isinstance(x, (tuple, list)):
            return type(x)([walk(y) for y in x])
        return x
    return [walk(x) for x in inputs]


def to_double(x):
    return x.double() if x.is_floating_point() else x


def draw_normal(get_inputs):
    """Calls get_inputs() with torch.rand/rand_like drawing from normal(0, 2) instead of uniform [0, 1), so inputs
    that get_inputs derives from random draws (a softmax of them, a scaled copy) keep their structure."""
    real_rand, real_rand_like = torch.rand, torch.rand_like
    torch.rand = lambda *size, **kw: real_randn(*size, **kw) * 2.0
    torch.rand_like = lambda x, **kw: torch.randn_like(x, **kw) * 2.0
    try:
        return get_inputs()
    finally:
        torch.rand, torch.rand_like = real_rand, real_rand_like


real_randn = torch.randn

RANDOM_FACTORIES = ("rand", "randn", "randint", "rand_like", "randn_like", "randint_like", "normal", "empty", "empty_like")


def recording_draws(call):
    """Runs call() recording, in order, every tensor the random factories return while it runs. kc's graph
    receives these as extra inputs (random0, random1...), so a forward that draws its own noise is compared on
    exactly the values PyTorch drew."""
    draws, originals = [], {name: getattr(torch, name) for name in RANDOM_FACTORIES if hasattr(torch, name)}

    def recorder(fn):
        def record(*args, **kwargs):
            t = fn(*args, **kwargs)
            draws.append(t)
            return t
        return record

    for name, fn in originals.items():
        setattr(torch, name, recorder(fn))
    try:
        return call(), draws
    finally:
        for name, fn in originals.items():
            setattr(torch, name, fn)


def replaying_draws(call, draws):
    """Runs call() with the random factories returning the recorded draws in order (converted to the dtype
    asked for), so the float64 run sees the same noise as the float32 one."""
    pending, originals = list(draws), {name: getattr(torch, name) for name in RANDOM_FACTORIES if hasattr(torch, name)}

    def replay(*args, **kwargs):
        t = pending.pop(0)
        dtype = kwargs.get("dtype")
        return t.to(dtype) if dtype is not None else t.double() if t.is_floating_point() else t

    for name in originals:
        setattr(torch, name, replay)
    try:
        return call()
    finally:
        for name, fn in originals.items():
            setattr(torch, name, fn)


def on_device(function, device):
    """function() with tensor factories defaulting to device (same distributions, the device's generator)."""
    def call():
        with torch.device(device):
            return function()
    return call


class Problem:
    """A module file under PyTorch: the model built with the seed, and its trials' inputs drawn on demand."""

    def __init__(self, path, defines, seed, device="cpu", entry=None, inputs=None):
        code = load_source(path, defines)
        # imported as a module of its own, its folder on the path: as `import model` would (dataclasses look it up)
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in sys.path:
            sys.path.insert(0, folder)
        module = types.ModuleType("kc_problem")
        module.__file__ = path
        sys.modules["kc_problem"] = module
        self.namespace = module.__dict__
        exec(code, self.namespace)
        self.seed, self.device, self.inputs_expr = seed, device, inputs
        torch.manual_seed(seed)
        if entry is not None:  # --entry: an expression in the file's namespace
            self.model = eval(compile(entry, "<entry>", "eval"), self.namespace).to(device)
        else:
            init_inputs = self.namespace["get_init_inputs"]() if "get_init_inputs" in self.namespace else []
            self.model = self.namespace["Model"](*init_inputs).to(device)

    def inputs(self, trial):
        """Trial t's inputs: seed+1+t, get_inputs() as written for even t, normal(0, 2) instead of rand for odd t."""
        torch.manual_seed(self.seed + 1 + trial)
        if self.inputs_expr is not None:  # --inputs: an expression in the file's namespace
            expr = compile(self.inputs_expr, "<inputs>", "eval")
            get_inputs = lambda: list(eval(expr, self.namespace))
        else:
            get_inputs = self.namespace["get_inputs"]
        if self.device != "cpu":  # draw on the GPU: a CPU generator needs seconds per gigabyte
            get_inputs = on_device(get_inputs, self.device)
        if trial % 2 == 0:
            inputs, distribution = get_inputs(), "get_inputs"
        else:
            inputs, distribution = draw_normal(get_inputs), "normal(0,2)"
        return map_inputs(inputs, lambda x: x.to(self.device)), distribution

    def forward(self, inputs):
        """The outputs (flattened) and the random tensors forward drew, in order."""
        with torch.no_grad():
            result, draws = recording_draws(lambda: self.model(*inputs))
        return flatten_outputs(result), draws


def run_job(path, out, defines, seed, trials, entry=None, inputs=None):
    problem = Problem(path, defines, seed, entry=entry, inputs=inputs)
    model = problem.model

    os.makedirs(os.path.join(out, "params"), exist_ok=True)
    manifest = {"torch": torch.__version__, "seed": seed, "params": {}, "trials": []}
    for i, (key, value) in enumerate(raw_state_dict(model).items()):
        manifest["params"][key] = save(out, "params", i, value)

    # The same model in float64: when kc's float64 reference disagrees with PyTorch's float32 result, this tells
    # an ill-conditioned problem (PyTorch's own float32 and float64 results differ as much) from a real mistake.
    try:
        model64 = copy.deepcopy(model).double()
    except Exception:
        model64 = None

    for trial in range(trials):
        inputs, distribution = problem.inputs(trial)
        sub = "trial%d" % trial
        os.makedirs(os.path.join(out, sub), exist_ok=True)
        saved_inputs = [save(out, sub, i, x) for i, x in enumerate(flatten_inputs(inputs))]
        outputs, draws = problem.forward(inputs)
        saved_inputs += [save(out, sub, 300 + i, d) for i, d in enumerate(draws)]
        saved_outputs = [save(out, sub, 100 + i, y) for i, y in enumerate(outputs)]
        saved64 = []
        if model64 is not None:
            try:
                inputs64 = map_inputs(inputs, to_double)
                with torch.no_grad():
                    outputs64 = flatten_outputs(replaying_draws(lambda: model64(*inputs64), draws))
                saved64 = [save(out, sub, 200 + i, y) for i, y in enumerate(outputs64)]
            except Exception:
                saved64 = []  # some modules insist on float32 internally; the float32 comparison stands alone
        manifest["trials"].append({"distribution": distribution, "inputs": saved_inputs, "outputs": saved_outputs,
                                   "outputs64": saved64})

    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f)


def serve(path, out, defines, seed, device, entry=None, inputs=None):
    """The GPU runtime's reference: builds the model once on the device, then answers one JSON request per line on
    stdin with one JSON line on stdout, writing tensors as .npy files into OUT (a RAM-backed folder: full-size
    KernelBench tensors are gigabytes; the caller deletes each trial's files once it has read them).
      {"op": "params"}                              -> {"params": {key: file-entry}}
      {"op": "trial", "trial": t}                   -> {"distribution", "inputs": [...], "outputs": [...]}
      {"op": "trial", "trial": t, "swap_input": i, "swap_from": u}
            trial t's inputs with input i taken from trial u's draw (does the output depend on input i?)
      {"op": "float64"}                             -> {"outputs": [...]}: the last trial in float64
      {"op": "transport", "mode": "ipc"|"files"}    -> {"mode", "probe"}: how tensors travel from now on; for
            "ipc" the probe is arange(256) in float32 shared by IPC, for the runtime to check it can map it
      {"op": "quit"}
    Matmuls and convolutions run in true float32 (TF32 off): the reference must be at least as exact as the
    kernels it judges."""
    global protocol
    protocol, sys.stdout = sys.stdout, sys.stderr  # a print() in the module must not corrupt the replies
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    problem = Problem(path, defines, seed, device, entry, inputs)
    model64, last = None, None
    reply({"torch": torch.__version__, "device": torch.cuda.get_device_name() if device == "cuda" else "cpu"})
    global transport
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        held.clear()
        if op == "trial":  # the previous trial's tensors go (the locals too) before the next ones are drawn: with a
            last = inputs = draws = outputs = None  # 6 GB input, two trials' at once would crowd kc's buffers out
        if device == "cuda":  # give what PyTorch cached back to the driver: kc's own buffers need it (a 6 GB input
            torch.cuda.empty_cache()  # and its float64 run would otherwise hold most of an 80 GB card)
        try:
            if op == "quit":
                return
            if op == "transport":
                transport = request["mode"] if device == "cuda" else "files"
                probe = torch.arange(256, dtype=torch.float32, device=device)
                reply({"mode": transport, "probe": export(out, "", 0, probe) if transport == "ipc" else None})
            elif op == "params":
                os.makedirs(os.path.join(out, "params"), exist_ok=True)
                reply({"params": {key: export(out, "params", i, value)
                                  for i, (key, value) in enumerate(raw_state_dict(problem.model).items())}})
            elif op == "trial":
                t = request["trial"]
                inputs, distribution = problem.inputs(t)
                sub = "trial%d" % t
                if "swap_input" in request:  # the k-th tensor among the inputs (the runtime sees only tensors)
                    k = request["swap_input"]
                    other = flatten_inputs(problem.inputs(request["swap_from"])[0])[k]
                    position = iter(range(len(flatten_inputs(inputs))))
                    inputs = map_inputs(inputs, lambda x: other if next(position) == k else x)
                    sub += "_swap%d" % k
                os.makedirs(os.path.join(out, sub), exist_ok=True)
                outputs, draws = problem.forward(inputs)
                last = (sub, inputs, draws)  # for a "float64" request about this trial
                saved_inputs = [export(out, sub, i, x) for i, x in enumerate(flatten_inputs(inputs))]
                saved_inputs += [export(out, sub, 300 + i, d) for i, d in enumerate(draws)]
                saved_outputs = [export(out, sub, 100 + i, y) for i, y in enumerate(outputs)]
                drawn = len(draws)
                del outputs
                reply({"distribution": distribution, "dir": sub, "inputs": saved_inputs, "outputs": saved_outputs,
                       "drawn_in_forward": drawn})
            elif op == "float64":
                # The last trial again, the model and its floating inputs in float64 (the same random draws): when
                # kc's float32 result misses PyTorch's float32 one, this says which of the two is nearer the truth.
                sub, inputs, draws = last
                if model64 is None:
                    model64 = copy.deepcopy(problem.model).double()
                inputs64 = map_inputs(inputs, to_double)
                with torch.no_grad():
                    outputs64 = flatten_outputs(replaying_draws(lambda: model64(*inputs64), draws))
                reply({"outputs": [export(out, sub, 200 + i, y) for i, y in enumerate(outputs64)]})
                del inputs64, outputs64
            else:
                reply({"error": "unknown op " + op})
        except Exception as e:
            reply({"error": "%s: %s" % (type(e).__name__, e)})
        if device == "cuda":
            torch.cuda.empty_cache()


protocol = sys.stdout

# How tensors reach the runtime: .npy files (default), or CUDA IPC handles to device memory that the runtime maps
# and copies from (no host copies at all; switched on by {"op": "transport", "mode": "ipc"} when both sides can).
transport = "files"
held = []  # tensors shared by IPC stay alive until the next request: the runtime copies them before asking again
# PyTorch never frees memory it shared by IPC until the consumer says it is done through PyTorch's own reference
# counts, which kc's runtime does not keep: every tensor exported afresh would stay allocated (a 6.4 GB input, five
# trials: an 80 GB card filled). So each export slot (params, an input, an output... by index, size and dtype) is
# one buffer, shared once and refilled for every trial.
slots = {}


def export(out, sub, index, tensor):
    if transport == "files":
        return save(out, sub, index, tensor)
    t = tensor.detach()
    if t.dtype == torch.bfloat16:
        t = t.float()
    if not t.is_cuda:  # e.g. a tensor get_inputs() built on the CPU explicitly
        t = t.cuda()
    key = (sub if sub == "params" else "", index, t.numel(), t.dtype)
    if key not in slots:
        buf = torch.empty(t.numel(), dtype=t.dtype, device=t.device)
        info = buf.untyped_storage()._share_cuda_()
        # info[1] is the cudaIpcMemHandle (64 bytes), behind a short version/kind prefix in recent PyTorch
        slots[key] = (buf, {"ipc": info[1][-64:].hex(), "offset": info[3], "bytes": buf.numel() * buf.element_size()})
    buf, handle = slots[key]
    buf.copy_(t.reshape(-1))
    held.append(buf)
    return dict(handle, shape=list(t.shape), dtype=str(t.dtype).replace("torch.", ""))


def reply(obj):
    if held:  # shared tensors must be complete before the runtime copies them (it runs on its own streams)
        torch.cuda.synchronize()
    protocol.write(json.dumps(obj) + "\n")
    protocol.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--file")
    parser.add_argument("--out")
    parser.add_argument("--define", action="append", default=[])
    parser.add_argument("--jobs", help="a file of JSON lines {file, out, defines}: many problems in one process; "
                                       "a problem that fails writes its one-line reason to OUT/error.txt")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--serve", action="store_true", help="answer requests on stdin (see serve())")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--entry", help="the model as an expression in the file's namespace (default Model(*get_init_inputs()))")
    parser.add_argument("--inputs", help="the inputs as an expression giving a list (default get_inputs())")
    parser.add_argument("--path", action="append", default=[], help="a folder searched for the file's imports, like PYTHONPATH")
    args = parser.parse_args()
    for folder in reversed(args.path):
        sys.path.insert(0, folder)

    disable_dropout()
    polyfill_sdpa()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    if args.serve:
        serve(args.file, args.out, dict(d.split("=", 1) for d in args.define), args.seed, args.device, args.entry, args.inputs)
        return
    if args.jobs is None:
        run_job(args.file, args.out, dict(d.split("=", 1) for d in args.define), args.seed, args.trials, args.entry, args.inputs)
        return
    with open(args.jobs) as f:
        jobs = [json.loads(line) for line in f if line.strip()]
    for job in jobs:
        os.makedirs(job["out"], exist_ok=True)
        try:
            run_job(job["file"], job["out"], job.get("defines", {}), args.seed, args.trials)
        except BaseException as e:
            with open(os.path.join(job["out"], "error.txt"), "w") as err:
                err.write("%s: %s" % (type(e).__name__, e))


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except BaseException as e:  # the module itself failed under PyTorch: report it in one line
        print("kc-reference: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(EXIT_PROBLEM)
