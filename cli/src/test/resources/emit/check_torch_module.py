"""Checks a `kc compile --emit torch` file without a GPU (CPU PyTorch is enough):

    python3 check_torch_module.py EMITTED.py ORIGINAL.py

1. kc's part of the file calls no PyTorch compute op: every call it makes is to a name outside torch's namespace,
   torch.nn.functional and Tensor's compute methods, or to the few allocation and stream functions allowed.
   ModelNew.forward calls kc's launcher only (never Model's forward).
2. ModelNew(*get_init_inputs()) under a seed has the parameters and buffers Model has under the same seed: same
   names, same order, same shapes, same values; load_state_dict of a Model's state works.
3. An input of another shape gets a ValueError naming both shapes.
4. The launcher's weight bindings (found once, checked again only when a tensor changed) give every weight
   get_parameter/get_buffer gives, after a weight is replaced and after a submodule is replaced too.
Prints OK, or what failed (exit status 1).
"""
import ast
import importlib.util
import sys

import torch

KC_SECTION = "# ==== kc: compiled kernels and their launcher ===="
ALLOWED_TORCH = {"empty", "tensor", "device", "cuda.init", "cuda.current_stream", "cuda.device"}
ALLOWED_METHODS = {"data_ptr", "is_contiguous", "detach", "to", "reshape", "get_parameter", "get_buffer", "parameters"}


def fail(message):
    print("FAIL " + message)
    sys.exit(1)


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return inner + "." + node.attr if inner else None
    return None


def check_calls(path):
    text = open(path, encoding="utf-8").read()
    if KC_SECTION not in text:
        fail("no kc section marker")
    kc = ast.parse(text.split(KC_SECTION, 1)[1])
    compute = {n for n in dir(torch) if callable(getattr(torch, n, None))}
    compute |= {n for n in dir(torch.nn.functional) if callable(getattr(torch.nn.functional, n, None))}
    tensor_methods = {n for n in dir(torch.Tensor) if not n.startswith("__")}
    for node in ast.walk(kc):
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func)
        if name and name.startswith("torch."):
            if name[len("torch."):] not in ALLOWED_TORCH:
                fail("kc's section calls %s (line %d)" % (name, node.lineno))
        elif isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method == "forward" or (isinstance(node.func.value, ast.Call) and dotted(node.func.value.func) == "super"):
                fail("kc's section calls a forward (line %d)" % node.lineno)
            if method in tensor_methods and method not in ALLOWED_METHODS and method not in ("get", "setdefault", "append"):
                fail("kc's section calls a Tensor method %s (line %d)" % (method, node.lineno))
        elif name in compute and name not in ("len", "zip", "sorted", "isinstance", "type"):
            fail("kc's section calls %s (line %d)" % (name, node.lineno))
    forwards = [n for n in ast.walk(kc) if isinstance(n, ast.ClassDef) and n.name == "ModelNew"]
    if len(forwards) != 1:
        fail("no class ModelNew in kc's section")
    calls = [dotted(c.func) for c in ast.walk(forwards[0]) if isinstance(c, ast.Call)]
    if calls != ["_kc_forward"]:
        fail("ModelNew calls %s, not only kc's launcher" % calls)


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main():
    emitted, original = sys.argv[1], sys.argv[2]
    check_calls(emitted)
    kc, user = load(emitted, "kc_emitted"), load(original, "kc_original")
    for seed in (0, 42):
        torch.manual_seed(seed)
        a = user.Model(*user.get_init_inputs())
        torch.manual_seed(seed)
        b = kc.ModelNew(*kc.get_init_inputs())
        pa, pb = list(a.named_parameters()), list(b.named_parameters())
        if [n for n, _ in pa] != [n for n, _ in pb]:
            fail("parameters differ: %s vs %s" % ([n for n, _ in pa], [n for n, _ in pb]))
        for (n, x), (_, y) in zip(pa, pb):
            if x.shape != y.shape or not torch.equal(x, y):
                fail("parameter %s differs under seed %d" % (n, seed))
        ba, bb = list(a.named_buffers()), list(b.named_buffers())
        if [n for n, _ in ba] != [n for n, _ in bb] or any(not torch.equal(x, y) for (_, x), (_, y) in zip(ba, bb)):
            fail("buffers differ under seed %d" % seed)
        b.load_state_dict(a.state_dict())
    inputs = kc.get_inputs()
    tensors = [x for x in inputs if isinstance(x, torch.Tensor)]
    if tensors:
        bad = list(inputs)
        i = inputs.index(tensors[0])
        bad[i] = torch.zeros(*(list(tensors[0].shape[:-1]) + [tensors[0].shape[-1] + 1]), dtype=tensors[0].dtype)
        try:
            b(*bad)
            fail("an input of another shape was accepted")
        except ValueError as e:
            want = ", ".join(str(d) for d in tensors[0].shape)
            if want not in str(e) or "compiled for" not in str(e):
                fail("the shape error does not name both shapes: %s" % e)
        try:
            b(*inputs)
            fail("CPU inputs were accepted")
        except ValueError as e:
            if "CUDA" not in str(e):
                fail("the device error is unclear: %s" % e)
    check_weight_bindings(kc, b)
    print("OK")


def check_weight_bindings(kc, model):
    cpu = torch.device("cpu")

    def expected():
        out = {}
        for buf in kc._KC_PLAN["buffers"]:
            if buf["role"] == "param":
                try:
                    out[buf["name"]] = model.get_parameter(buf["key"])
                except AttributeError:
                    out[buf["name"]] = model.get_buffer(buf["key"])
        return out

    def bound():
        weights = model.__dict__.get("_kc_weights")
        if weights is None or not weights.current():
            weights = model.__dict__["_kc_weights"] = kc._KcWeights(model)
        got = {}
        weights.bind(model, cpu, got)
        return got

    def same(what):
        want, got = expected(), bound()
        if set(want) != set(got) or any(got[n].data_ptr() != want[n].data_ptr() for n in want):
            fail("the weight bindings differ from get_parameter %s" % what)

    same("at first")
    params = [(n, p) for n, p in model.named_parameters()]
    if not params:
        return
    name, p = params[-1]
    owner = model.get_submodule(name.rpartition(".")[0]) if "." in name else model
    setattr(owner, name.rpartition(".")[2], torch.nn.Parameter(p.detach().clone()))
    same("after a weight was replaced")
    if "." in name:
        path = name.rpartition(".")[0]
        parent = model.get_submodule(path.rpartition(".")[0]) if "." in path else model
        old = model.get_submodule(path)
        clone = type(old).__new__(type(old))
        clone.__dict__ = dict(old.__dict__)
        clone._parameters = {k: torch.nn.Parameter(v.detach().clone()) if v is not None else None for k, v in old._parameters.items()}
        setattr(parent, path.rpartition(".")[2], clone)
        same("after a submodule was replaced")


if __name__ == "__main__":
    main()
