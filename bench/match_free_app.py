"""pufa's app with matching made free, for bench/webhook_throughput.py --match-free: each
question's result is kept after its first match, so the rest of the delivery is what is timed."""

from __future__ import annotations

from flask import Flask

from bot.web.app import create_app as create_pufa_app
from knowledge.results import MatchResult


def create_app() -> Flask:
    app = create_pufa_app()
    matcher = app.extensions["pufa"].services.matcher
    kept: dict[str, MatchResult] = {}
    match = matcher.match

    def kept_match(query: str) -> MatchResult:
        if query not in kept:
            kept[query] = match(query)
        return kept[query]

    matcher.match = kept_match
    return app
