# kc's own example of the long tail (issue 14), checked against PyTorch by LongTailTest: a decoder stack
# (nn.TransformerDecoder over post-norm layers, seq-first) attending to a memory with a causal target mask and a
# memory key padding mask, and the whole nn.Transformer (batch_first) with a target mask.
# kc check transformer_decoder.py --entry 'Decoder()' --inputs '[torch.randn(5, 2, 16), torch.randn(7, 2, 16)]'
# kc check transformer_decoder.py --entry 'Seq2Seq()' --inputs '[torch.randn(2, 7, 16), torch.randn(2, 5, 16)]'
import torch
import torch.nn as nn
import torch.nn.functional as F


class Decoder(nn.Module):
    def __init__(self, d_model=16, nhead=2, layers=2):
        super().__init__()
        layer = nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward=24, activation=F.gelu)
        self.decoder = nn.TransformerDecoder(layer, layers, norm=nn.LayerNorm(d_model))

    def forward(self, tgt, memory):
        tgt_mask = nn.Transformer.generate_square_subsequent_mask(tgt.size(0))
        padding = torch.zeros(memory.size(1), memory.size(0), dtype=torch.bool)
        padding[:, -2:] = True  # the memory's last two positions are padding
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_key_padding_mask=padding)


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = nn.Transformer(d_model=16, nhead=4, num_encoder_layers=2, num_decoder_layers=1,
                                          dim_feedforward=32, batch_first=True)

    def forward(self, src, tgt):
        mask = self.transformer.generate_square_subsequent_mask(tgt.size(1))
        return self.transformer(src, tgt, tgt_mask=mask)
