"""PostgreSQL: Piccolo's own engine, remembering the pool size for ``start()``."""

from __future__ import annotations

from typing import Any

from piccolo.engine.postgres import PostgresEngine

__all__ = ["PoolSizedPostgresEngine"]


class PoolSizedPostgresEngine(PostgresEngine):
    """``PostgresEngine`` plus the ``pool_max`` that ``service.db.start`` uses.

    (Piccolo's engine classes use ``__slots__`` without ``__dict__``, so the
    pool size cannot be attached to a plain ``PostgresEngine`` instance.)
    """

    def __init__(self, config: dict[str, Any], *, pool_max: int = 10, **kwargs: Any) -> None:
        if int(pool_max) < 1:
            raise ValueError("pool_max must be at least 1")
        self.pool_max = int(pool_max)
        super().__init__(config=config, **kwargs)
