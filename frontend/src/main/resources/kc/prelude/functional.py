# kc's torch.nn.functional composites, written in Python over kc's native tensor ops. Each function's nodes share
# one composite origin (its name), so later passes can recognise softmax, layer_norm... as a whole.
import math
import torch


def _softmax_dim(ndim):
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        dim = _softmax_dim(input.dim())
    e = torch.exp(input - torch.amax(input, dim, keepdim=True))
    return e / torch.sum(e, dim, keepdim=True)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        dim = _softmax_dim(input.dim())
    shifted = input - torch.amax(input, dim, keepdim=True)
    return shifted - torch.log(torch.sum(torch.exp(shifted), dim, keepdim=True))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    return softmax(-input, dim, dtype=dtype)


def gelu(input, approximate='none'):
    if approximate == 'tanh':
        inner = math.sqrt(2.0 / math.pi) * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1.0 + torch.tanh(inner))
    if approximate != 'none':
        raise ValueError("approximate argument must be either none or tanh.")
    return input * 0.5 * (1.0 + torch.erf(input * 0.7071067811865476))


def silu(input, inplace=False):
    return input * torch.sigmoid(input)


def softplus(input, beta=1.0, threshold=20.0):
    scaled = input * beta
    return torch.where(scaled > threshold, input, torch.log1p(torch.exp(scaled)) / beta)


def mish(input, inplace=False):
    return input * torch.tanh(softplus(input))


def hardswish(input, inplace=False):
    return input * torch.clamp(input + 3.0, 0.0, 6.0) / 6.0


def elu(input, alpha=1.0, inplace=False):
    return torch.where(input > 0, input, alpha * torch.expm1(input))


def celu(input, alpha=1.0, inplace=False):
    return torch.where(input > 0, input, alpha * torch.expm1(input / alpha))


def selu(input, inplace=False):
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return scale * torch.where(input > 0, input, alpha * torch.expm1(input))


def softsign(input):
    return input / (1 + torch.abs(input))


def logsigmoid(input):
    return torch.minimum(input, torch.zeros_like(input)) - torch.log1p(torch.exp(-torch.abs(input)))


def tanhshrink(input):
    return input - torch.tanh(input)


def softshrink(input, lambd=0.5):
    return torch.where(input > lambd, input - lambd, torch.where(input < -lambd, input + lambd, torch.zeros_like(input)))


def hardshrink(input, lambd=0.5):
    return torch.where(torch.abs(input) > lambd, input, torch.zeros_like(input))


def glu(input, dim=-1):
    a, b = torch.chunk(input, 2, dim)
    return a * torch.sigmoid(b)


def prelu(input, weight):
    if weight.numel() != 1 and input.dim() >= 2:
        weight = weight.reshape([weight.numel()] + [1] * (input.dim() - 2))
    return torch.where(input > 0, input, weight * input)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    return leaky_relu(input, (lower + upper) / 2)


def dropout(input, p=0.5, training=True, inplace=False):
    # kc compares against PyTorch with dropout disabled: the identity at any p, for every variant.
    return input


dropout1d = dropout2d = dropout3d = alpha_dropout = feature_alpha_dropout = dropout


def _norm_dims(normalized_shape):
    if isinstance(normalized_shape, int):
        return (-1,)
    return tuple(range(-len(normalized_shape), 0))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    dims = _norm_dims(normalized_shape)
    centered = input - torch.mean(input, dims, keepdim=True)
    var = torch.mean(centered * centered, dims, keepdim=True)
    out = centered * torch.rsqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def rms_norm(input, normalized_shape, weight=None, eps=None):
    dims = _norm_dims(normalized_shape)
    if eps is None:
        eps = 1.1920928955078125e-07
    out = input * torch.rsqrt(torch.mean(input * input, dims, keepdim=True) + eps)
    if weight is not None:
        out = out * weight
    return out


def _channel_shape(input, t):
    # a per-channel vector (C,) shaped to broadcast over (N, C, *spatial)
    return t.reshape([t.numel()] + [1] * (input.dim() - 2))


def _normalize_over(input, dims, eps):
    centered = input - torch.mean(input, dims, keepdim=True)
    var = torch.mean(centered * centered, dims, keepdim=True)
    return centered * torch.rsqrt(var + eps)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05):
    if training:
        dims = [0] + list(range(2, input.dim()))
        out = _normalize_over(input, dims, eps)
    else:
        out = (input - _channel_shape(input, running_mean)) * torch.rsqrt(_channel_shape(input, running_var) + eps)
    if weight is not None:
        out = out * _channel_shape(input, weight)
    if bias is not None:
        out = out + _channel_shape(input, bias)
    return out


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    if use_input_stats or running_mean is None:
        out = _normalize_over(input, list(range(2, input.dim())), eps)
    else:
        out = (input - _channel_shape(input, running_mean)) * torch.rsqrt(_channel_shape(input, running_var) + eps)
    if weight is not None:
        out = out * _channel_shape(input, weight)
    if bias is not None:
        out = out + _channel_shape(input, bias)
    return out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    shape = input.shape
    if shape[1] % num_groups != 0:
        raise ValueError("Expected number of channels in input to be divisible by num_groups")
    grouped = input.reshape(shape[0], num_groups, -1)
    out = _normalize_over(grouped, -1, eps).reshape(shape)
    if weight is not None:
        out = out * _channel_shape(input, weight)
    if bias is not None:
        out = out + _channel_shape(input, bias)
    return out


def local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0):
    sq = (input * input).unsqueeze(1)
    pad_shape = [0, 0] * (input.dim() - 2) + [size // 2, (size - 1) // 2]
    sq = pad(sq, pad_shape)
    div = torch.zeros_like(input)
    for i in range(size):
        div = div + sq.narrow(2, i, input.shape[1]).squeeze(1)
    div = (div * (alpha / size) + k) ** beta
    return input / div


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    denom = torch.clamp_min(torch.norm(input, p, dim, keepdim=True), eps)
    return input / denom


def cosine_similarity(x1, x2, dim=1, eps=1e-08):
    w12 = torch.sum(x1 * x2, dim)
    n1 = torch.clamp_min(torch.norm(x1, 2, dim), eps)
    n2 = torch.clamp_min(torch.norm(x2, 2, dim), eps)
    return w12 / (n1 * n2)


def pairwise_distance(x1, x2, p=2.0, eps=1e-06, keepdim=False):
    return torch.norm(x1 - x2 + eps, p, -1, keepdim)


def one_hot(tensor, num_classes=-1):
    if num_classes < 0:
        raise ValueError("kc needs one_hot's num_classes (it cannot read the data)")
    return (tensor.unsqueeze(-1) == torch.arange(num_classes)).long()


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    return weight[input]


def _reduce(loss, reduction):
    if reduction == 'mean':
        return torch.mean(loss)
    if reduction == 'sum':
        return torch.sum(loss)
    if reduction == 'none':
        return loss
    raise ValueError(reduction + " is not a valid value for reduction")


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    d = input - target
    return _reduce(d * d, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    return _reduce(torch.abs(input - target), reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction='mean', beta=1.0):
    d = torch.abs(input - target)
    if beta == 0.0:
        return _reduce(d, reduction)
    return _reduce(torch.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    d = torch.abs(input - target)
    return _reduce(torch.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    if log_target:
        pointwise = torch.exp(target) * (target - input)
    else:
        # xlogy(target, target) - target * input: zero where target is zero
        pointwise = torch.where(target > 0, target * torch.log(target), torch.zeros_like(target)) - target * input
    if reduction == 'batchmean':
        if input.dim() == 0:
            return torch.sum(pointwise)
        return torch.sum(pointwise) / input.shape[0]
    return _reduce(pointwise, reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'):
    picked = -torch.gather(input, 1, target.unsqueeze(1)).squeeze(1)
    keep = target != ignore_index
    w = keep.to(input.dtype)
    if weight is not None:
        w = w * weight[target]
    loss = picked * w
    if reduction == 'mean':
        return torch.sum(loss) / torch.sum(w)
    return _reduce(loss, reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean',
                  label_smoothing=0.0):
    logp = log_softmax(input, 1)
    if target.is_floating_point():
        if label_smoothing > 0.0:
            target = target * (1.0 - label_smoothing) + label_smoothing / input.shape[1]
        if weight is not None:
            logp = logp * _channel_shape(logp, weight)
        loss = -torch.sum(target * logp, 1)
        if reduction == 'mean':
            return torch.sum(loss) / input.shape[0]
        return _reduce(loss, reduction)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0.0:
        return nll
    smooth = -torch.mean(logp, 1)
    return (1.0 - label_smoothing) * nll + label_smoothing * _reduce(smooth, reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    loss = -(target * torch.clamp_min(torch.log(input), -100.0) + (1 - target) * torch.clamp_min(torch.log(1 - input), -100.0))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction='mean',
                                     pos_weight=None):
    max_val = torch.clamp_min(-input, 0)
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * target + 1
        loss = (1 - target) * input + log_weight * (torch.log(torch.exp(-max_val) + torch.exp(-input - max_val)) + max_val)
    else:
        loss = (1 - target) * input + max_val + torch.log(torch.exp(-max_val) + torch.exp(-input - max_val))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, size_average=None,
                        reduce=None, reduction='mean'):
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = torch.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(torch.clamp_min(margin + d_pos - d_neg, 0.0), reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction='mean'):
    return _reduce(torch.clamp_min(-target * (input1 - input2) + margin, 0.0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction='mean'):
    loss = torch.where(target == 1, input, torch.zeros_like(input)) + \
        torch.where(target == -1, torch.clamp_min(margin - input, 0.0), torch.zeros_like(input))
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction='mean'):
    cos = cosine_similarity(input1, input2, 1, 1e-12)
    loss = torch.where(target == 1, 1 - cos, torch.clamp_min(cos - margin, 0.0))
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    return _reduce(torch.log1p(torch.exp(-target * input)), reduction)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    L = query.size(-2)
    S = key.size(-2)
    scale_factor = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale
    attn = torch.matmul(query, key.transpose(-2, -1)) * scale_factor
    if is_causal:
        causal = torch.tril(torch.ones(L, S, dtype=torch.bool))
        attn = attn.masked_fill(~causal, -math.inf)
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            attn = attn.masked_fill(~attn_mask, -math.inf)
        else:
            attn = attn + attn_mask
    return torch.matmul(softmax(attn, -1), value)


torch._kc_tensor_method('softmax', softmax)
torch._kc_tensor_method('log_softmax', log_softmax)
