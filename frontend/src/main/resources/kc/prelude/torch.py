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
