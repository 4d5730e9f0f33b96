# kc's own example of the long tail (issue 14), checked against PyTorch by LongTailTest: a causal language model on
# nn.TransformerEncoder with batch_first, pre-norm GELU layers and the causal mask of
# nn.Transformer.generate_square_subsequent_mask; the stack deep-copies its layer, as PyTorch does.
# kc check transformer_encoder.py --entry 'CausalLM()' --inputs '[torch.randint(0, 40, (2, 9))]'
import torch
import torch.nn as nn


class CausalLM(nn.Module):
    def __init__(self, vocab=40, d_model=32, nhead=4, layers=2, block=16):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.zeros(1, block, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=4 * d_model, dropout=0.1,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d_model))
        self.head = nn.Linear(d_model, vocab, bias=False)

    def forward(self, idx):
        t = idx.size(1)
        x = self.tok(idx) + self.pos[:, :t]
        mask = nn.Transformer.generate_square_subsequent_mask(t)
        return self.head(self.encoder(x, mask=mask))
