"""Network architectures for tables. Each builder returns a module called as
`module(x_num, x_cat)` whose output is (batch, d_out) or (batch, k, d_out) for k ensemble heads."""

from __future__ import annotations

from collections.abc import Callable

import torch
from rtdl_num_embeddings import PeriodicEmbeddings
from torch import nn


def _embedding_dim(cardinality: int) -> int:
    # A common rule of thumb (fast.ai): grows slowly with the number of categories.
    return int(min(32, round(1.6 * cardinality**0.56)))


class TabularMLP(nn.Module):
    """An MLP for tables: periodic embeddings of numeric features (PLR-lite, Gorishniy et al.
    2022), learned embeddings of categories, then Linear-LayerNorm-ReLU-Dropout blocks."""

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
            if n_num else None
        )
        self.cat_embeddings = nn.ModuleList(
            nn.Embedding(c, _embedding_dim(c)) for c in cat_cardinalities
        )
        d_in = n_num * d_num_embedding + sum(_embedding_dim(c) for c in cat_cardinalities)
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
        if x_cat is not None:
            parts += [emb(x_cat[:, i]) for i, emb in enumerate(self.cat_embeddings)]
        return self.head(self.blocks(torch.cat(parts, dim=1)))


def build_mlp(n_num: int, cat_cardinalities: list[int], d_out: int, *, width: int,
              n_blocks: int, dropout: float, k: int, frequency_scale: float) -> nn.Module:
    del k  # a single network
    return TabularMLP(n_num, cat_cardinalities, d_out, width=width, n_blocks=n_blocks,
                      dropout=dropout, frequency_scale=frequency_scale)


def build_tabm(n_num: int, cat_cardinalities: list[int], d_out: int, *, width: int,
               n_blocks: int, dropout: float, k: int, frequency_scale: float) -> nn.Module:
    """TabM (Gorishniy et al., ICLR 2025) from the authors' `tabm` package: k weight-sharing
    MLPs trained together, with periodic numeric embeddings."""
    from tabm import TabM

    embeddings = (
        PeriodicEmbeddings(n_num, 16, lite=True, frequency_init_scale=frequency_scale)
        if n_num else None
    )
    return TabM.make(
        n_num_features=n_num, cat_cardinalities=cat_cardinalities or None, d_out=d_out,
        num_embeddings=embeddings, k=k, d_block=width, n_blocks=n_blocks, dropout=dropout,
    )


ARCHITECTURES: dict[str, Callable[..., nn.Module]] = {"mlp": build_mlp, "tabm": build_tabm}
