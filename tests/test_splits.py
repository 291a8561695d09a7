import numpy as np

from dlcheck.benchmark.splits import make_folds


def test_stratified_folds_cover_every_row_once_per_repeat():
    y = np.array([0] * 80 + [1] * 20)
    plan = make_folds(y, True, n_folds=5, n_repeats=2, seed=0)
    assert plan.strategy == "stratified" and len(plan.folds) == 10
    for r in range(2):
        tests = np.concatenate([f.test for f in plan.folds if f.repeat == r])
        assert sorted(tests) == list(range(100))
    assert all(y[f.test].mean() == 0.2 for f in plan.folds)
    assert abs(plan.test_train_ratio - 0.25) < 1e-9


def test_small_class_reduces_the_number_of_folds():
    y = np.array([0] * 50 + [1] * 3)
    plan = make_folds(y, True, n_folds=5, n_repeats=1, seed=0)
    assert plan.n_folds == 3 and "smallest class has 3 rows" in plan.reason


def test_grouped_folds_never_split_a_group():
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 30, 300).astype(str)
    y = rng.integers(0, 2, 300)
    plan = make_folds(y, True, n_folds=5, n_repeats=1, seed=0, groups=groups)
    assert plan.strategy == "grouped"
    for f in plan.folds:
        assert not set(groups[f.train]) & set(groups[f.test])


def test_time_folds_train_on_the_past():
    times = np.random.default_rng(0).permutation(200).astype(float)
    plan = make_folds(np.zeros(200), False, n_folds=4, n_repeats=3, seed=0, times=times)
    assert plan.strategy == "time" and plan.n_repeats == 1
    for f in plan.folds:
        assert times[f.train].max() < times[f.test].min()


def test_same_seed_same_folds():
    y = np.random.default_rng(0).integers(0, 2, 100)
    a = make_folds(y, True, 5, 1, seed=3)
    b = make_folds(y, True, 5, 1, seed=3)
    assert all((fa.test == fb.test).all() for fa, fb in zip(a.folds, b.folds, strict=True))


def test_rows_sharing_a_timestamp_stay_on_one_side():
    times = np.repeat(np.arange(10, dtype=float), 3)
    plan = make_folds(np.zeros(30), False, n_folds=4, n_repeats=1, seed=0, times=times)
    for f in plan.folds:
        assert times[f.train].max() < times[f.test].min()


def test_probe_folds_are_the_latest_time_folds():
    y = np.tile([0, 1], 100)
    times = np.arange(200)
    plan = make_folds(y, True, 5, 1, seed=0, times=times)
    [latest] = plan.probe_folds(1)
    assert len(latest.train) == max(len(f.train) for f in plan.first_repeat)
    shuffled = make_folds(y, True, 5, 1, seed=0)
    assert shuffled.probe_folds(2) == shuffled.first_repeat[:2]
    assert len(shuffled.probe_folds(0)) == 1


def test_gap_leaves_periods_out_between_training_and_test():
    times = np.repeat(np.arange(60, dtype=float), 2)
    plan = make_folds(np.zeros(120), False, n_folds=5, n_repeats=1, seed=0, times=times,
                      gap=3)
    for f in plan.folds:
        left_out = np.unique(times[f.test]).min() - np.unique(times[f.train]).max() - 1
        assert left_out == 3
    assert "3 distinct time(s) left out" in plan.reason and "approximate" in plan.reason


def test_gap_needs_a_time_column_and_room():
    import pytest

    from dlcheck.errors import DataError

    with pytest.raises(DataError, match="needs time_col"):
        make_folds(np.zeros(100), False, 5, 1, seed=0, gap=2)
    with pytest.raises(DataError, match="smaller gap"):
        make_folds(np.zeros(30), False, 5, 1, seed=0, times=np.arange(30.0), gap=10)
