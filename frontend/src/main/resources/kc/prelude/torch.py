# kc's additions to the torch namespace written in Python: composites shared with torch.nn.functional and the
# (values, indices) results of torch.max/min with a dim.
from torch.nn.functional import softmax, log_softmax, selu, celu, dropout, layer_norm, group_norm, batch_norm, \
    instance_norm, cosine_similarity, pairwise_distance, prelu, alpha_dropout, feature_alpha_dropout


class return_types_minmax:
    def __init__(self, values, indices):
        self.values = values
        self.indices = indices

    def __getitem__(self, i):
        return (self.values, self.indices)[i]

    def __iter__(self):
        return iter((self.values, self.indices))

    def __len__(self):
        return 2


def max(input, dim=None, keepdim=False, *, out=None):
    r = _kc_max(input, dim, keepdim)
    if isinstance(r, tuple):
        return return_types_minmax(r[0], r[1])
    return r


def min(input, dim=None, keepdim=False, *, out=None):
    r = _kc_min(input, dim, keepdim)
    if isinstance(r, tuple):
        return return_types_minmax(r[0], r[1])
    return r


_kc_tensor_method('max', max)
_kc_tensor_method('min', min)


# torch.finfo / torch.iinfo: the numeric limits of a dtype, as PyTorch reports them (models read eps and min/max to
# build masks and stabilise norms).
_FINFO = {
    float32: (32, 1.1920928955078125e-07, 3.4028234663852886e+38, 1.1754943508222875e-38, 1e-06),
    float64: (64, 2.220446049250313e-16, 1.7976931348623157e+308, 2.2250738585072014e-308, 1e-15),
    float16: (16, 0.0009765625, 65504.0, 6.103515625e-05, 0.001),
    bfloat16: (16, 0.0078125, 3.3895313892515355e+38, 1.1754943508222875e-38, 0.01),
}
_IINFO = {int64: (64, -9223372036854775807 - 1, 9223372036854775807), int32: (32, -2147483648, 2147483647)}


class finfo:
    def __init__(self, type=float32):
        if type not in _FINFO:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle '" + str(type) + "'")
        self.bits, self.eps, self.max, self.tiny, self.resolution = _FINFO[type]
        self.min = -self.max
        self.smallest_normal = self.tiny
        self.dtype = str(type).replace("torch.", "")


class iinfo:
    def __init__(self, type):
        if type not in _IINFO:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle '" + str(type) + "'")
        self.bits, self.min, self.max = _IINFO[type]
        self.dtype = str(type).replace("torch.", "")
