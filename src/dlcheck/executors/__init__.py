"""Executors: the protocol (base.py), local worker processes (local.py) and the run store's
wrapper (storing.py). A cluster executor is one more module with a class that has `n_workers`
and `map(fn, jobs)`; `assess(executor=...)` takes it and the store wraps it."""
