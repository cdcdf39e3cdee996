"""Ankang (安康): scored surveys and inspections for trade unions."""

import os

# Piccolo finds its configuration through this variable; point it at ours before
# anything imports Piccolo's machinery.
os.environ.setdefault("PICCOLO_CONF", "service.piccolo_conf")
