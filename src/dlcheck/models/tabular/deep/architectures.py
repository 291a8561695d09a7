"""Network architectures for tables. Each builder returns a module called as
`module(x_num, x_cat)` whose output is (batch, d_out) or (batch, k, d_out) for k ensemble heads."""

from __future__ import annotations

from collections.abc import Callable

import torch
from rtdl_num_embeddings import PeriodicEmbeddings
from torch import nn

D_NUM_EMBEDDING = 16
"""Width of each numeric input's periodic embedding on an ordinary table."""
MAX_NUM_EMBEDDING_WIDTH = 2048
"""Bound on numeric inputs x embedding width, the numeric part of the first layer's input:
16 per input up to 128 numeric inputs (64 columns, each with its missing-value indicator)."""
MIN_D_NUM_EMBEDDING = 4
"""Narrower than this an embedding is dropped: the quantile-normalised values enter as they
are, one input each (beyond 512 numeric inputs)."""


def num_embedding_size(n_num: int) -> int:
    """Width of each numeric input's periodic embedding, 0 for none: 16 while
    n_num x 16 <= 2048 (up to 128 numeric inputs, missing-value indicators included); beyond,
    the widest that keeps n_num x width <= 2048 (15 at 129-136 inputs ... 4 at 410-512); beyond
    512 inputs no embedding, the quantile-normalised values themselves. Without the bound a
    1,000-column table gave a 16,000-wide first layer (2.1M parameters, for 160 training rows
    in a 200-row table); on ordinary tables nothing changes."""
    if n_num * D_NUM_EMBEDDING <= MAX_NUM_EMBEDDING_WIDTH:
        return D_NUM_EMBEDDING
    d = MAX_NUM_EMBEDDING_WIDTH // max(n_num, 1)
    return d if d >= MIN_D_NUM_EMBEDDING else 0


def _embedding_dim(cardinality: int) -> int:
    # A common rule of thumb (fast.ai): grows slowly with the number of categories.
    return int(min(32, round(1.6 * cardinality**0.56)))


class TabularMLP(nn.Module):
    """An MLP for tables: periodic embeddings of numeric features (PLR-lite, Gorishniy et al.
    2022), learned embeddings of categories, then Linear-LayerNorm-ReLU-Dropout blocks.
    `d_num_embedding=0`: no numeric embedding, the numeric features enter as they are."""

    def __init__(
        self,
        n_num: int,
        cat_cardinalities: list[int],
        d_out: int,
        width: int = 256,
        n_blocks: int = 3,
        dropout: float = 0.1,
        d_num_embedding: int = 16,
        frequency_scale: float = 0.1,
    ) -> None:
        super().__init__()
        self.num_embeddings = (
            PeriodicEmbeddings(n_num, d_num_embedding, lite=True,
                               frequency_init_scale=frequency_scale)
            if n_num and d_num_embedding else None
        )
        self.cat_embeddings = nn.ModuleList(
            nn.Embedding(c, _embedding_dim(c)) for c in cat_cardinalities
        )
        d_in = n_num * (d_num_embedding or 1) + sum(_embedding_dim(c) for c in cat_cardinalities)
        blocks: list[nn.Module] = []
        for _ in range(n_blocks):
            blocks += [nn.Linear(d_in, width), nn.LayerNorm(width), nn.ReLU(),
                       nn.Dropout(dropout)]
            d_in = width
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(d_in, d_out)

    def forward(self, x_num: torch.Tensor | None, x_cat: torch.Tensor | None) -> torch.Tensor:
        parts = []
        if self.num_embeddings is not None and x_num is not None:
            parts.append(self.num_embeddings(x_num).flatten(1))
        elif x_num is not None:
            parts.append(x_num)
        if x_cat is not None:
            parts += [emb(x_cat[:, i]) for i, emb in enumerate(self.cat_embeddings)]
        return self.head(self.blocks(torch.cat(parts, dim=1)))


def build_mlp(n_num: int, cat_cardinalities: list[int], d_out: int, *, width: int,
              n_blocks: int, dropout: float, k: int, frequency_scale: float) -> nn.Module:
    del k  # a single network
    return TabularMLP(n_num, cat_cardinalities, d_out, width=width, n_blocks=n_blocks,
                      dropout=dropout, d_num_embedding=num_embedding_size(n_num),
                      frequency_scale=frequency_scale)


def build_tabm(n_num: int, cat_cardinalities: list[int], d_out: int, *, width: int,
               n_blocks: int, dropout: float, k: int, frequency_scale: float) -> nn.Module:
    """TabM (Gorishniy et al., ICLR 2025) from the authors' `tabm` package: k weight-sharing
    MLPs trained together, with periodic numeric embeddings of `num_embedding_size` (none on
    very wide tables: then TabM's own default for plain inputs applies)."""
    from tabm import TabM

    d_embedding = num_embedding_size(n_num)
    embeddings = (
        PeriodicEmbeddings(n_num, d_embedding, lite=True, frequency_init_scale=frequency_scale)
        if n_num and d_embedding else None
    )
    return TabM.make(
        n_num_features=n_num, cat_cardinalities=cat_cardinalities or None, d_out=d_out,
        num_embeddings=embeddings, k=k, d_block=width, n_blocks=n_blocks, dropout=dropout,
    )


ARCHITECTURES: dict[str, Callable[..., nn.Module]] = {"mlp": build_mlp, "tabm": build_tabm}
