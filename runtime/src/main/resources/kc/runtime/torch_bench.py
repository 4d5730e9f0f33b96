"""kc's PyTorch baselines on the GPU: times a module file under PyTorch eager and torch.compile (inductor, default
mode) the way kc's runtime times its own kernels (kc.runtime.gpu.GpuTimer): CUDA events around forward on the
current stream, 3 warm-ups, then N trials each preceded by writing a 256 MB buffer to flush L2; median and mean.
Then counts the kernels one warm forward of each runs, with torch.profiler (null where it cannot). Also measures
the GPU's ceilings (copy bandwidth, fp32 and bf16 tensor-core matmul throughput).

Usage: python3 torch_bench.py --jobs JOBS.jsonl [--trials 100] [--seed 42]
         each line {"file", "defines", "out"}: writes OUT/baseline.json (times and launch counts), or OUT/error.txt
       python3 torch_bench.py --ceilings OUT.json

Semantics follow KernelBench: seed before building the model, training mode, inputs from get_inputs() moved to
the GPU, forward under torch.no_grad(), PyTorch's default numerics (TF32 as PyTorch ships it: off for matmul,
on for cuDNN convolutions), torch._dynamo.reset() before compiling, compile time kept out of the timing.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import Problem, disable_dropout  # noqa: E402

FLUSH_BYTES = 256 << 20


def time_forward(forward, inputs, max_trials, warmups=3, budget_seconds=10.0):
    """Up to max_trials timed runs, fewer (at least 10) when they would take longer than budget_seconds, the
    rule kc's GpuTimer.trialsWithin applies to kc's own kernels."""
    flush = torch.empty(FLUSH_BYTES // 4, dtype=torch.int32, device="cuda")
    with torch.no_grad():
        t0 = time.time()
        for _ in range(warmups):
            forward(*inputs)
        torch.cuda.synchronize()
        each = (time.time() - t0) / max(1, warmups)
        trials = max_trials if each <= 0 else int(max(min(max_trials, 10), min(max_trials, budget_seconds // each)))
        starts = [torch.cuda.Event(enable_timing=True) for _ in range(trials)]
        ends = [torch.cuda.Event(enable_timing=True) for _ in range(trials)]
        for i in range(trials):
            flush.fill_(i)
            starts[i].record()
            forward(*inputs)
            ends[i].record()
        torch.cuda.synchronize()
    ms = sorted(s.elapsed_time(e) for s, e in zip(starts, ends))
    return {"median_ms": statistics.median(ms), "mean_ms": statistics.fmean(ms), "min_ms": ms[0], "max_ms": ms[-1],
            "trials": trials}


def count_kernels(trace):
    """The kernels in a torch.profiler Chrome trace as loaded from JSON (Kineto's {"traceEvents": [...]}, or the
    bare list that builds without Kineto write): the events of category "kernel" (compared without case: early
    Kineto wrote "Kernel"), one per kernel the GPU ran. Not counted: copies and fills ("gpu_memcpy",
    "gpu_memset"), the host's launch calls ("cuda_runtime", "cuda_driver"), operators ("cpu_op"), annotations drawn
    on the GPU's timeline ("gpu_user_annotation", which torch.compile adds) and flow arrows ("ac2g"). The trace's
    category is the one place every PyTorch version tells a kernel from a memcpy or an annotation; prof.events()
    gives all GPU-side events the same device type."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    return sum(1 for e in events if str(e.get("cat", "")).lower() == "kernel")


def count_launches(forward, inputs):
    """The kernels one call of forward runs on the GPU (the same call time_forward times, after its warm-ups, so
    that compiling and autotuning are over), or None where torch.profiler cannot see the GPU (no CUDA, no CUPTI)
    or fails: a missing count must not cost the problem its times."""
    try:
        from torch.profiler import ProfilerActivity, profile, supported_activities
        if not torch.cuda.is_available() or ProfilerActivity.CUDA not in supported_activities():
            return None
        with torch.no_grad(), profile(activities=[ProfilerActivity.CUDA]) as prof:
            forward(*inputs)
            torch.cuda.synchronize()
        with tempfile.TemporaryDirectory() as tmp:
            trace = os.path.join(tmp, "trace.json")
            prof.export_chrome_trace(trace)
            with open(trace) as f:
                return count_kernels(json.load(f))
    except Exception as e:  # noqa: BLE001 - any profiler failure leaves the count unknown
        print("kc-bench: kernels not counted: %s: %s" % (type(e).__name__, e), file=sys.stderr, flush=True)
        return None


def baseline(job, trials, seed, budget):
    problem = Problem(job["file"], job.get("defines", {}), seed, "cuda")
    inputs, _ = problem.inputs(0)
    model = problem.model
    result = {"torch": torch.__version__, "device": torch.cuda.get_device_name()}
    result["eager"] = time_forward(model, inputs, trials, budget_seconds=budget)
    # strict fp32 beside as shipped: cuDNN runs convolutions in TF32 by default, kc is fp32-accurate
    shipped = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    if any(shipped):
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
        try:
            result["eager_strict"] = time_forward(model, inputs, trials, budget_seconds=budget / 2)
        finally:
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = shipped
    else:
        result["eager_strict"] = result["eager"]
    result["eager_launches"] = count_launches(model, inputs)
    torch._dynamo.reset()
    compiled = torch.compile(model, backend="inductor", mode="default")
    t0 = time.time()
    with torch.no_grad():
        compiled(*inputs)
    torch.cuda.synchronize()
    result["compile_seconds"] = time.time() - t0
    result["compiled"] = time_forward(compiled, inputs, trials, budget_seconds=budget)
    result["compiled_launches"] = count_launches(compiled, inputs)
    return result


def ceilings():
    """Copy bandwidth (bytes read + written), fp32 SIMT matmul and bf16 tensor-core matmul throughput."""
    n = 1 << 28  # 1 GiB of float32
    src = torch.empty(n, dtype=torch.float32, device="cuda").fill_(1)
    dst = torch.empty_like(src)
    copy = time_forward(lambda: dst.copy_(src), [], 20)
    size = 8192
    torch.backends.cuda.matmul.allow_tf32 = False
    a = torch.randn(size, size, device="cuda")
    b = torch.randn(size, size, device="cuda")
    fp32 = time_forward(lambda: torch.mm(a, b), [], 10)
    a16, b16 = a.bfloat16(), b.bfloat16()
    tc = time_forward(lambda: torch.mm(a16, b16), [], 20)
    flops = 2.0 * size ** 3
    return {"device": torch.cuda.get_device_name(), "copy_bytes_per_second": 2 * 4 * n / (copy["median_ms"] * 1e-3),
            "fp32_flops_per_second": flops / (fp32["median_ms"] * 1e-3),
            "tensor_core_flops_per_second": flops / (tc["median_ms"] * 1e-3)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs")
    parser.add_argument("--ceilings")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timing-budget", type=float, default=10.0)
    args = parser.parse_args()
    disable_dropout()
    if args.ceilings:
        with open(args.ceilings, "w") as f:
            json.dump(ceilings(), f)
    if args.jobs:
        with open(args.jobs) as f:
            jobs = [json.loads(line) for line in f if line.strip()]
        for job in jobs:
            os.makedirs(job["out"], exist_ok=True)
            try:
                result = baseline(job, args.trials, args.seed, args.timing_budget)
                # written whole or not at all: a sweep stopped here and resumed must not read half a file
                partial = os.path.join(job["out"], "baseline.json.tmp")
                with open(partial, "w") as f:
                    json.dump(result, f)
                os.replace(partial, os.path.join(job["out"], "baseline.json"))
            except BaseException as e:
                with open(os.path.join(job["out"], "error.txt"), "w") as f:
                    f.write("%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
            finally:
                torch._dynamo.reset()
                torch.cuda.empty_cache()
            print("kc-bench: %s done" % job["file"], file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
