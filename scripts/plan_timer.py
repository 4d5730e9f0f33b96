#!/usr/bin/env python3
"""Times kc's compiled output folders on a GPU without Java: a development tool for trying kernel variants.

    python3 scripts/plan_timer.py [--trials N] DIR [DIR ...]

Each DIR is what `kc compile --emit ptx|cuda -o DIR` wrote (plan.json beside the .ptx, or the .cu and kc_cuda.h,
which this compiles with nvcc -O3). The plan's buffers are allocated through PyTorch (inputs and weights
uniform [0, 1), the rest zero), its launches run on PyTorch's current stream through the CUDA driver API, and the
whole plan is timed as `kc run --time` does: CUDA events, 3 warm-ups, N trials each after a 256 MB L2 flush,
median. Each kernel is also timed alone the same way. Nothing is verified: only `kc run` judges results.
"""
import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys

import torch

cuda = ctypes.CDLL("libcuda.so.1")


def check(status, what):
    if status != 0:
        name = ctypes.c_char_p()
        cuda.cuGetErrorName(status, ctypes.byref(name))
        raise RuntimeError("%s: %s" % (what, name.value.decode() if name.value else status))


DTYPES = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16, "bfloat16": torch.bfloat16,
          "int32": torch.int32, "int64": torch.int64, "bool": torch.bool}


def ptx_of(folder, plan):
    ptx = os.path.join(folder, os.path.splitext(plan["kernels"])[0] + ".ptx")
    if not os.path.exists(ptx):
        source = os.path.join(folder, plan["kernels"])
        major, minor = torch.cuda.get_device_capability()
        subprocess.run(["nvcc", "-ptx", "-O3", "-arch=sm_%d%d" % (major, minor), "-o", ptx, source],
                       check=True)
    with open(ptx, "rb") as f:
        return f.read() + b"\0"


class Plan:
    def __init__(self, folder):
        with open(os.path.join(folder, "plan.json")) as f:
            self.plan = json.load(f)
        self.name = os.path.basename(os.path.normpath(folder))
        self.module = ctypes.c_void_p()
        check(cuda.cuModuleLoadData(ctypes.byref(self.module), ptx_of(folder, self.plan)), "loading " + folder)
        self.tensors = {}
        for b in self.plan["buffers"]:
            dtype = DTYPES[b["dtype"]]
            shape = b["shape"]
            if b.get("values") is not None:
                t = torch.tensor(b["values"], dtype=torch.float64).to(dtype).reshape(shape).cuda()
            elif b["role"] in ("input", "param") and dtype.is_floating_point:
                t = torch.rand(shape, dtype=dtype, device="cuda")
            else:
                t = torch.zeros(shape, dtype=dtype, device="cuda")
            self.tensors[b["name"]] = t
        self.launches = []
        for launch in self.plan["launches"]:
            fn = ctypes.c_void_p()
            check(cuda.cuModuleGetFunction(ctypes.byref(fn), self.module, launch["kernel"].encode()), launch["kernel"])
            pointers = [ctypes.c_void_p(self.tensors[a].data_ptr()) for a in launch["args"]]
            args = (ctypes.c_void_p * len(pointers))(*[ctypes.cast(ctypes.pointer(p), ctypes.c_void_p) for p in pointers])
            dyn = launch.get("dynamic_shared_bytes", 0)
            if dyn:  # CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
                check(cuda.cuFuncSetAttribute(fn, 8, dyn), launch["kernel"] + " shared memory")
            self.launches.append((launch["kernel"], fn, launch["grid"], launch["block"], dyn,
                                  pointers, args))

    def run(self, only=None):
        stream = ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)
        for i, (name, fn, g, b, dyn, _, args) in enumerate(self.launches):
            if only is None or only == i:
                check(cuda.cuLaunchKernel(fn, g[0], g[1], g[2], b[0], b[1], b[2], dyn, stream, args, None), name)


def time_ms(call, trials):
    flush = torch.empty(256 * 1024 * 1024 // 4, dtype=torch.float32, device="cuda")
    for _ in range(3):
        call()
    times = []
    for _ in range(trials):
        flush.fill_(1.0)
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        call()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("folders", nargs="+")
    args = parser.parse_args()
    torch.cuda.init()
    torch.zeros(1, device="cuda")  # makes PyTorch's primary context current for the driver API
    print("%-40s %10s  %s" % ("variant", "plan ms", "kernels (ms each)"))
    for folder in args.folders:
        try:
            plan = Plan(folder)
            total = time_ms(plan.run, args.trials)
            each = ["%s %.4f" % (l[0], time_ms(lambda i=i: plan.run(i), args.trials)) for i, l in enumerate(plan.launches)] \
                if len(plan.launches) > 1 else []
            moved = sum(t.numel() * t.element_size() for n, t in plan.tensors.items())
            print("%-40s %10.4f  %s  (buffers %.2f GB, %.2f TB/s over them)" % (
                plan.name, total, ", ".join(each), moved / 1e9, moved / total / 1e9), flush=True)
            del plan
            torch.cuda.empty_cache()
        except Exception as e:  # one broken variant must not stop the rest
            print("%-40s ERROR %s" % (os.path.basename(folder), e), flush=True)


if __name__ == "__main__":
    sys.exit(main())
