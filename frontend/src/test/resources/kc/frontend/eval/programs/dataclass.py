from dataclasses import dataclass, field, fields, asdict
from typing import List

@dataclass
class Config:
    n_embd: int = 64
    n_head: int = 4
    layers: List[int] = field(default_factory=lambda: [1, 2])
    name: str = 'gpt'

    def head_dim(self):
        return self.n_embd // self.n_head

@dataclass(frozen=False)
class Big(Config):
    dropout: float = 0.1

    def __post_init__(self):
        self.total = self.n_embd * len(self.layers)

c = Config(n_head=8)
b = Big(128)
result = (repr(c), c.head_dim(), c == Config(n_head=8), c == Config(), repr(b), b.total,
          [f for f in fields(b)] if False else 'fields', asdict(c), Config.n_embd)
