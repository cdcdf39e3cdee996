"""Collection is what the hazard area builds on: it never imports it back. What the
submit path reports (the hazards found), what a result page links to and the points
an offline inspection starts at are handed to it by the app (service/app.py)."""

from __future__ import annotations

import ast

from service.settings import PROJECT_ROOT


def test_collection_does_not_import_the_hazard_area():
    found = []
    for path in sorted((PROJECT_ROOT / "service" / "collection").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            found += [f"{path.name}: {n}" for n in names if n.startswith("service.hazards")]
    assert found == []
