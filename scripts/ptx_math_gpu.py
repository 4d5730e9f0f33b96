#!/usr/bin/env python3
"""Runs kc's PTX math kernels (written by GpuMathModuleTest) on a real GPU through the CUDA driver API (ctypes, no
toolkit needed) and compares them with Python's double-precision math. Usage: ptx_math_gpu.py math.ptx"""
import ctypes, math, random, struct, sys

N = 1 << 20
THREADS = 256

cuda = ctypes.CDLL("libcuda.so.1")

def check(rc, what):
    if rc != 0:
        name = ctypes.c_char_p()
        cuda.cuGetErrorName(rc, ctypes.byref(name))
        raise RuntimeError(f"{what}: {name.value}")

check(cuda.cuInit(0), "cuInit")
dev = ctypes.c_int()
check(cuda.cuDeviceGet(ctypes.byref(dev), 0), "cuDeviceGet")
ctx = ctypes.c_void_p()
check(cuda.cuCtxCreate_v2(ctypes.byref(ctx), 0, dev), "cuCtxCreate")
ptx = open(sys.argv[1], "rb").read() + b"\0"
mod = ctypes.c_void_p()
check(cuda.cuModuleLoadData(ctypes.byref(mod), ptx), "cuModuleLoadData")

def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0] if math.isfinite(x) and abs(x) < 3.4e38 else x

random.seed(1)
special = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0, 2.5, math.inf, -math.inf, math.nan, 1e-45, 88.7, -87.3, 1e-20, -1e-20]
def sample():
    r = random.random()
    if r < 0.02: return random.choice(special)
    if r < 0.4: return random.uniform(-100, 100)
    if r < 0.6: return random.uniform(-10, 10)
    return random.choice([-1, 1]) * 10 ** random.uniform(-8, 2)
A = [f32(sample()) for _ in range(N)]
B = [f32(sample()) for _ in range(N)]
for i in range(0, 400):  # every pair of specials
    A[i] = f32(special[i % len(special)]); B[i] = f32(special[(i // len(special)) % len(special)])

def upload(vals):
    buf = (ctypes.c_float * N)(*vals)
    ptr = ctypes.c_uint64()
    check(cuda.cuMemAlloc_v2(ctypes.byref(ptr), N * 4), "cuMemAlloc")
    check(cuda.cuMemcpyHtoD_v2(ptr, buf, N * 4), "HtoD")
    return ptr

da, db = upload(A), upload(B)
dout = ctypes.c_uint64()
check(cuda.cuMemAlloc_v2(ctypes.byref(dout), N * 4), "cuMemAlloc")

def run(name):
    fn = ctypes.c_void_p()
    check(cuda.cuModuleGetFunction(ctypes.byref(fn), mod, name.encode()), "cuModuleGetFunction " + name)
    args = (ctypes.c_void_p * 3)(ctypes.cast(ctypes.byref(da), ctypes.c_void_p), ctypes.cast(ctypes.byref(db), ctypes.c_void_p),
                                 ctypes.cast(ctypes.byref(dout), ctypes.c_void_p))
    check(cuda.cuLaunchKernel(fn, N // THREADS, 1, 1, THREADS, 1, 1, 0, None, args, None), "launch " + name)
    check(cuda.cuCtxSynchronize(), "sync " + name)
    out = (ctypes.c_float * N)()
    check(cuda.cuMemcpyDtoH_v2(out, dout, N * 4), "DtoH")
    return list(out)

def safe(f):
    def g(*xs):
        try:
            return f(*xs)
        except (ValueError, ZeroDivisionError):
            return math.nan
        except OverflowError:
            return math.inf
    return g

def c_pow(a, b):
    if b == 0 or a == 1: return 1.0
    if a == -1 and math.isinf(b): return 1.0
    if math.isnan(a) or math.isnan(b): return math.nan
    odd_int = math.isfinite(b) and b == int(b) and int(b) % 2 == 1
    if a == 0 and b < 0: return math.copysign(math.inf, a) if odd_int else math.inf
    try:
        return math.pow(a, b)
    except ZeroDivisionError:
        odd = b == int(b) and int(b) % 2 == 1 if math.isfinite(b) else False
        return math.copysign(math.inf, a) if odd else math.inf
    except OverflowError:
        neg = a < 0 and math.isfinite(b) and b == int(b) and int(b) % 2 == 1
        return -math.inf if neg else math.inf
    except ValueError:
        return math.nan

def sign(x): return x if x == 0 or math.isnan(x) else math.copysign(1.0, x)
def sigmoid(x):
    if x < -700: return 0.0
    return 1 / (1 + math.exp(-x))
def fmax(a, b): return math.nan if math.isnan(a) or math.isnan(b) else max(a, b)
def fmin(a, b): return math.nan if math.isnan(a) or math.isnan(b) else min(a, b)
def div(a, b):
    if b == 0: return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1, b)
    return a / b

UNARY = {"exp": safe(math.exp), "log": safe(lambda x: -math.inf if x == 0 else math.log(x)), "sqrt": safe(math.sqrt),
         "rsqrt": safe(lambda x: math.copysign(math.inf, x) if x == 0 else 1 / math.sqrt(x)), "recip": safe(lambda x: math.copysign(math.inf, x) if x == 0 else 1 / x),
         "tanh": math.tanh, "sigmoid": safe(sigmoid), "erf": math.erf, "sin": safe(math.sin), "cos": safe(math.cos),
         "floor": safe(lambda x: float(math.floor(x)) if math.isfinite(x) else x), "ceil": safe(lambda x: float(math.ceil(x)) if math.isfinite(x) else x),
         "round_even": safe(lambda x: float(round(x)) if math.isfinite(x) else x), "sign": sign,
         "log1p": safe(lambda x: -math.inf if x == -1 else math.log1p(x)), "expm1": safe(math.expm1), "abs": abs, "neg": lambda x: -x}
BINARY = {"pow": c_pow, "atan2": math.atan2, "rem": safe(math.fmod), "max": fmax, "min": fmin, "div": div}

worst_all = 0
for name, ref in list(UNARY.items()) + list(BINARY.items()):
    kernel = ("u_" if name in UNARY else "b_") + name
    got = run(kernel)
    worst, worst_at, bad = 0.0, None, 0
    for i in range(N):
        want = ref(A[i]) if name in UNARY else ref(A[i], B[i])
        g = got[i]
        if isinstance(want, float) and math.isnan(want):
            if not math.isnan(g): bad += 1; worst_at = worst_at or (A[i], B[i], g, want)
            continue
        if math.isinf(want) or math.isinf(g) or math.isnan(g):
            if not (g == want or (abs(want) > 3.4e38 and math.isinf(g) and math.copysign(1, g) == math.copysign(1, want))):
                bad += 1; worst_at = worst_at or (A[i], B[i], g, want)
            continue
        err = abs(g - want) / (1e-6 * abs(want) + 1e-30 + (2e-7 if name == "erf" else 0) + (1e-7 if name in ("sin", "cos") else 0))
        if err > worst: worst, worst_where = err, (A[i], B[i], g, want)
    print(f"{name:11s} worst error {worst:8.3f} x (1e-6 relative)   special-value mismatches {bad}" + (f"  e.g. {worst_at}" if bad else "") +
          (f"   worst at {worst_where}" if worst > 1 else ""))
    worst_all = max(worst_all, worst)
