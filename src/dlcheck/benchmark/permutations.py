"""Label permutations that respect how the rows hang together (exchangeability blocks,
Winkler et al. 2014), for the permutation test's null runs.

A free shuffle assumes every row is exchangeable with every other. Rows of one group
(--group-col: a patient, a customer) share their labels' level, and rows close in time
(--time-col) share a trend: a free shuffle breaks that structure, the null scores come out
less variable than the real one, and chance looks like signal (a grouped null gave p < 0.05
in 45% of simulations). So:

- with groups, whole groups trade labels: each group receives the labels of another group
  of about its size (groups are ranked by size and trade within consecutive strata of
  `GROUP_STRATUM`), drawn in random order and recycled or cut to its own size, which keeps
  each group's label mix (and so the clustering) while breaking any tie between a group's
  features and its labels. With equal sizes this is Winkler et al.'s whole-block permutation
  with a shuffle within blocks; with labels constant in each group, an exact permutation of
  the groups' labels. Trading only among groups of similar size keeps the recycling small:
  a label set moved between a 1-row and a 40-row group would change the labels' distribution.
  Permuting only within groups would leave a group-level label untouched, and a label that is
  constant in each group could never be tested;
- with times, labels are shuffled within contiguous blocks of time (`TIME_BLOCKS`), which
  keeps slow trends in the labels, so that features that merely drift with time do not pass
  for signal (spurious regression), while any faster tie between features and labels breaks.
"""

from __future__ import annotations

import numpy as np

GROUP_STRATUM = 10
"""Groups that trade labels with each other: consecutive groups in order of size."""

TIME_BLOCKS = 24
"""Contiguous blocks of distinct times within which labels are shuffled: four for each of
the six periods of 5 forward-chaining folds."""


def permute_labels(y: np.ndarray, rng: np.random.Generator, groups: np.ndarray | None = None,
                   times: np.ndarray | None = None) -> np.ndarray:
    """One null relabelling of `y`: within time blocks with `times`, by whole groups with
    `groups`, else a free shuffle."""
    if times is not None:
        return within_blocks(y, rng, time_blocks(times))
    if groups is not None:
        return between_groups(y, rng, groups)
    return rng.permutation(y)


def time_blocks(times: np.ndarray, n_blocks: int = TIME_BLOCKS) -> np.ndarray:
    """Block of each row: runs of consecutive distinct times, about equal in number; rows
    that share a time share a block."""
    distinct, inverse = np.unique(np.asarray(times), return_inverse=True)
    n_blocks = max(1, min(n_blocks, len(distinct)))
    block_of_time = (np.arange(len(distinct)) * n_blocks) // len(distinct)
    return block_of_time[inverse]


def within_blocks(y: np.ndarray, rng: np.random.Generator, blocks: np.ndarray) -> np.ndarray:
    """`y` shuffled among the rows of each block."""
    order = np.lexsort((rng.random(len(y)), blocks))  # rows by block, randomly within
    by_block = np.argsort(blocks, kind="stable")       # rows by block, in table order
    out = np.empty_like(y)
    out[by_block] = y[order]
    return out


def between_groups(y: np.ndarray, rng: np.random.Generator, groups: np.ndarray,
                   stratum: int = GROUP_STRATUM) -> np.ndarray:
    """Each group's rows get the labels of another group of about its size (a random
    permutation within strata of `stratum` groups consecutive in size), in random order,
    recycled when the other group is smaller."""
    _, codes, sizes = np.unique(np.asarray(groups), return_inverse=True, return_counts=True)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    # Source rows, grouped, in random order within each group.
    shuffled = np.lexsort((rng.random(len(y)), codes))
    by_size = np.lexsort((rng.random(len(sizes)), sizes))
    n_strata = max(1, len(sizes) // stratum)  # the last stratum takes the remainder
    source = np.empty(len(sizes), dtype=int)
    for chunk in np.array_split(by_size, n_strata):
        source[chunk] = rng.permutation(chunk)
    targets = np.argsort(codes, kind="stable")  # target rows, grouped
    target_group = codes[targets]
    rank = np.arange(len(y)) - starts[target_group]  # position of each within its group
    donor = source[target_group]
    out = np.empty_like(y)
    out[targets] = y[shuffled[starts[donor] + rank % sizes[donor]]]
    return out
