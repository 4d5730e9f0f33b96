# ---- kc's launcher: the PTX above through the CUDA driver API, on PyTorch's current stream ----
# Buffers come from PyTorch's allocator; no PyTorch compute op runs here (views, allocation and launches only).
import ctypes as _kc_ctypes
import threading as _kc_threading

_KC_MAX_DYNAMIC_SHARED = 8  # CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
_KC_DTYPES = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
              "bfloat16": torch.bfloat16, "int32": torch.int32, "int64": torch.int64, "bool": torch.bool}


class _KcDriver:
    """libcuda, loaded on first use (importing this file needs no GPU), and per device the PTX's kernels with every
    launch's argument array built once: a forward only writes the buffers' addresses into them and launches."""
    lib = None
    devices = {}

    @classmethod
    def check(cls, status, what):
        if status != 0:
            name = _kc_ctypes.c_char_p()
            cls.lib.cuGetErrorName(status, _kc_ctypes.byref(name))
            raise RuntimeError("kc: %s failed: %s" % (what, name.value.decode() if name.value else status))

    @classmethod
    def prepared(cls, device):
        """(lock, {buffer name: c_void_p}, [(CUfunction, grid x y z, block x y z, dynamic shared bytes, argument array,
        kernel name)])."""
        state = cls.devices.get(device.index)
        if state is not None:
            return state
        if cls.lib is None:
            cls.lib = _kc_ctypes.CDLL("libcuda.so.1")
        torch.cuda.init()
        with torch.cuda.device(device):
            torch.cuda.current_stream(device)  # PyTorch makes the device's primary context current
            context = _kc_ctypes.c_void_p()
            cls.check(cls.lib.cuCtxGetCurrent(_kc_ctypes.byref(context)), "cuCtxGetCurrent")
            if not context.value:
                handle = _kc_ctypes.c_int()
                cls.check(cls.lib.cuDeviceGet(_kc_ctypes.byref(handle), device.index), "cuDeviceGet")
                cls.check(cls.lib.cuDevicePrimaryCtxRetain(_kc_ctypes.byref(context), handle), "cuDevicePrimaryCtxRetain")
                cls.check(cls.lib.cuCtxSetCurrent(context), "cuCtxSetCurrent")
            module = _kc_ctypes.c_void_p()
            cls.check(cls.lib.cuModuleLoadData(_kc_ctypes.byref(module), _KC_PTX.encode() + b"\0"), "loading kc's PTX")
            pointers = {b["name"]: _kc_ctypes.c_void_p() for b in _KC_PLAN["buffers"]}
            launches = []
            for launch in _KC_PLAN["launches"]:
                f = _kc_ctypes.c_void_p()
                cls.check(cls.lib.cuModuleGetFunction(_kc_ctypes.byref(f), module, launch["kernel"].encode()), launch["kernel"])
                args = (_kc_ctypes.c_void_p * len(launch["args"]))(
                    *[_kc_ctypes.cast(_kc_ctypes.pointer(pointers[a]), _kc_ctypes.c_void_p) for a in launch["args"]])
                g, blk, dynamic = launch["grid"], launch["block"], launch.get("dynamic_shared_bytes", 0)
                if dynamic:  # past 48 KB a function must be allowed its dynamic shared memory
                    cls.check(cls.lib.cuFuncSetAttribute(f, _KC_MAX_DYNAMIC_SHARED, dynamic), launch["kernel"] + "'s shared memory")
                launches.append((f, g[0], g[1], g[2], blk[0], blk[1], blk[2], dynamic, args, launch["kernel"]))
        state = (_kc_threading.Lock(), pointers, launches)
        cls.devices[device.index] = state
        return state


def _kc_describe(dtype, shape):
    return "%s[%s]" % (str(dtype).replace("torch.", ""), ", ".join(str(d) for d in shape))


def _kc_tensor(value, buffer, what, device):
    """value as this plan buffer takes it, or a ValueError naming what it is and what kc compiled for."""
    dtype, shape = _KC_DTYPES[buffer["dtype"]], buffer["shape"]
    if value.dtype != dtype or list(value.shape) != shape:
        raise ValueError("kc: %s is %s; compiled for %s" % (what, _kc_describe(value.dtype, value.shape), _kc_describe(dtype, shape)))
    if value.device != device:
        raise ValueError("kc: %s is on %s; the model runs on %s" % (what, value.device, device))
    if not value.is_contiguous():
        raise ValueError("kc: %s is not contiguous; kc's kernels read it in row-major order" % what)
    return value


def _kc_tensors(inputs):
    """The tensors among forward's arguments in order, tuples and lists flattened depth first: kc's graph inputs."""
    flat = []
    for x in inputs:
        if isinstance(x, torch.Tensor):
            flat.append(x)
        elif isinstance(x, (tuple, list)):
            flat.extend(_kc_tensors(x))
    return flat


def _kc_scratch_layout():
    """[(buffer name, byte offset)] of the plan's scratch buffers in one arena, 256-byte aligned, and its size."""
    layout, size = [], 0
    for b in _KC_PLAN["buffers"]:
        if b["role"] == "scratch":
            layout.append((b["name"], size))
            size += (b["bytes"] + 255) // 256 * 256
    return layout, size


_KC_SCRATCH, _KC_SCRATCH_BYTES = _kc_scratch_layout()


class _KcWeights:
    """The plan's weights in one model, found once: each one's owning module and attribute (get_parameter walks the
    module path on every call, microseconds a weight), and the tensor last checked there. A forward checks again only
    a weight whose tensor changed (replaced, moved, resized), and finds them all again when a module on a path was
    replaced."""

    def __init__(self, model):
        self.edges, self.entries, seen = [], [], {}
        for b in _KC_PLAN["buffers"]:
            if b["role"] != "param":
                continue
            owner, part, _, rest = model, None, None, b["key"]
            while owner is not None:
                part, dot, rest = rest.partition(".")
                if not dot:
                    break
                child = owner._modules.get(part)
                if child is not None and (id(owner), part) not in seen:
                    seen[(id(owner), part)] = True
                    self.edges.append((owner, part, child))
                owner = child  # None: not a plain submodule path; the slow lookup in bind says what is wrong
            self.entries.append([b, owner, part, None, 0, None, None])

    def current(self):
        """Whether every module on the weights' paths is still where it was found."""
        for parent, name, child in self.edges:
            if parent._modules.get(name) is not child:
                return False
        return True

    def bind(self, model, device, buffers):
        """Puts each weight's checked tensor into buffers by plan name."""
        for e in self.entries:
            b, owner, attr, seen, ptr, shape, checked = e
            value = None
            if owner is not None:
                value = owner._parameters.get(attr)
                if value is None:
                    value = owner._buffers.get(attr)
            if value is None:
                try:
                    value = model.get_parameter(b["key"])
                except AttributeError:
                    value = model.get_buffer(b["key"])
            if value is not seen or value.data_ptr() != ptr or value.shape != shape or checked.device != device:
                checked = _kc_tensor(value.detach(), b, "weight " + b["key"], device)
                e[3:] = [value, value.data_ptr(), value.shape, checked]
            buffers[b["name"]] = checked


def _kc_forward(model, inputs):
    tensors = _kc_tensors(inputs)
    declared = [b for b in _KC_PLAN["buffers"] if b["role"] == "input"]
    if len(tensors) != len(declared):
        raise ValueError("kc: forward got %d tensors; compiled for %d" % (len(tensors), len(declared)))
    for b in declared:  # shapes and dtypes first: the clearest error for the commonest mistake
        _kc_tensor(tensors[b["index"]], b, "input %d" % b["index"], tensors[b["index"]].device)
    device = tensors[0].device if tensors else next(model.parameters()).device
    if device.type != "cuda":
        raise ValueError("kc: the inputs are on %s; kc's kernels run on a CUDA device" % device)
    lock, pointers, launches = _KcDriver.prepared(device)
    constants = model.__dict__.setdefault("_kc_constants", {})
    weights = model.__dict__.get("_kc_weights")
    if weights is None or not weights.current():
        weights = model.__dict__["_kc_weights"] = _KcWeights(model)
    buffers, outputs = {}, []
    weights.bind(model, device, buffers)
    for b in _KC_PLAN["buffers"]:
        role = b["role"]
        if role == "input":
            t = tensors[b["index"]]
            if t.device != device:
                raise ValueError("kc: input %d is on %s; the model runs on %s" % (b["index"], t.device, device))
        elif role == "constant":
            t = constants.get((b["name"], device))
            if t is None:  # made once per device, outside any forward's timing
                t = torch.tensor(b["values"], dtype=_KC_DTYPES[b["dtype"]]).reshape(b["shape"]).to(device)
                constants[(b["name"], device)] = t
        elif role == "output":
            t = torch.empty(b["shape"], dtype=_KC_DTYPES[b["dtype"]], device=device)
            outputs.append((b["index"], t))
        else:  # weights are bound above; scratch lives in the arena below
            continue
        buffers[b["name"]] = t
    # one allocation for all scratch buffers (PyTorch's allocator orders its reuse on the stream)
    arena = torch.empty(_KC_SCRATCH_BYTES, dtype=torch.uint8, device=device) if _KC_SCRATCH_BYTES else None
    stream = _kc_ctypes.c_void_p(torch.cuda.current_stream(device).cuda_stream)
    launch = _KcDriver.lib.cuLaunchKernel
    with lock:  # the argument arrays are shared by this device's forwards
        for name, t in buffers.items():
            pointers[name].value = t.data_ptr()
        if arena is not None:
            base = arena.data_ptr()
            for name, offset in _KC_SCRATCH:
                pointers[name].value = base + offset
        for f, gx, gy, gz, bx, by, bz, dynamic, args, kernel in launches:
            status = launch(f, gx, gy, gz, bx, by, bz, dynamic, stream, args, None)
            if status:
                _KcDriver.check(status, "launching " + kernel)
    result = [t for _, t in sorted(outputs, key=lambda o: o[0])]
    return result[0] if len(result) == 1 else tuple(result)
