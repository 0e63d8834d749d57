"""The house rules: each wing imports only from the floors below it, and nothing imports in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lower floors first; a module may import from its own wing and from any wing below it.
# `bot` itself is only the package's docstring.
FLOORS: list[tuple[str, ...]] = [
    ("knowledge", "bot"),
    ("handlers", "bot.errors"),
    ("bot.settings",),
    ("bot.store",),
    ("bot.kb",),
    ("bot.services",),
    ("bot.inbox", "bot.ask"),
    ("bot.push",),
    ("bot.web",),
    ("bot.cli",),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every project module this file imports, at the top or inside a function."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("bot", "knowledge", "handlers")}


MODULES = {
    _module_name(path): path
    for package in ("bot", "knowledge", "handlers")
    for path in sorted((ROOT / package).rglob("*.py"))
}
GRAPH = {
    name: {i for i in _imports(path) if i in MODULES and i != name}
    for name, path in MODULES.items()
}


def _within(module: str, wing: str) -> bool:
    return module == wing or (wing != "bot" and module.startswith(wing + "."))


def _floor(module: str) -> int:
    for level, wings in enumerate(FLOORS):
        if any(_within(module, wing) for wing in wings):
            return level
    raise AssertionError(f"{module} is on no floor: add it to FLOORS in {__file__}")


def _wing(module: str) -> str:
    for wings in FLOORS:
        for wing in wings:
            if _within(module, wing):
                return wing
    return module


def test_every_module_has_a_floor() -> None:
    for module in MODULES:
        _floor(module)


def test_imports_point_down_only() -> None:
    upward = [
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _wing(target) != _wing(module) and _floor(target) >= _floor(module)
    ]
    assert not upward, upward


@pytest.mark.parametrize(
    ("wing", "forbidden"),
    [
        ("knowledge", ("bot", "handlers")),
        ("handlers", ("bot",)),
        ("bot.store", ("bot.web", "bot.push", "bot.cli")),
        ("bot.push", ("bot.web",)),
        ("bot.kb", ("bot.web", "bot.push", "bot.cli")),
    ],
)
def test_named_rules(wing: str, forbidden: tuple[str, ...]) -> None:
    broken = [
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if _within(module, wing)
        for target in targets
        if any(_within(target, f) for f in forbidden)
    ]
    assert not broken, broken


def test_no_import_circles() -> None:
    # A package imports its own modules from __init__; that edge is not a circle.
    graph = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in GRAPH.items()}
    seen: set[str] = set()
    stack: list[str] = []
    circles: list[str] = []

    def visit(module: str) -> None:
        if module in stack:
            circles.append(" -> ".join(stack[stack.index(module) :] + [module]))
            return
        if module in seen:
            return
        seen.add(module)
        stack.append(module)
        for target in sorted(graph[module]):
            visit(target)
        stack.pop()

    for module in sorted(graph):
        visit(module)
    assert not circles, circles
