"""The package's import graph: no circle, so every module can be read, tested and moved
with what is below it (lazy imports inside functions count; annotations-only ones do not)."""

import ast
from pathlib import Path

import dlcheck

ROOT = Path(dlcheck.__file__).parent


def _module(path: Path) -> str:
    parts = ["dlcheck", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in ROOT.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        annotations_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                            and "TYPE_CHECKING" in ast.unparse(node.test)
                            for n in ast.walk(node)}
        deps = set()
        for node in ast.walk(tree):
            if id(node) in annotations_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                    and node.module.startswith("dlcheck"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    deps.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("dlcheck")}
        graph[name] = {d for d in deps if d in modules and d != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                found.append([*stack[stack.index(dep):], dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_import_graph_has_no_circle():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_models_and_data_do_not_import_the_benchmark_above_them():
    """The layers below the benchmark (data, models) never reach up."""
    upward = sorted((m, d) for m, deps in _graph().items() for d in deps
                    if m.startswith(("dlcheck.data", "dlcheck.models"))
                    and d.startswith(("dlcheck.benchmark", "dlcheck.checks", "dlcheck.report",
                                      "dlcheck.verdict", "dlcheck.assessment", "dlcheck.pipeline")))
    assert upward == []
