from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T04:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the rankings index in participant order, with the submission id"

# Rankings group each participant's counted submissions, and join those to the section
# scores of the tie-break sections: in (campaign, enterprise, team) order SQLite groups
# as it reads, and both indexes cover what is read, so neither table is visited
# (bench/rankings.py; the charts' section averages too). A submit adds one entry to the
# section scores' index per section (10 for a 250-item form): ~5 % of its raw insert.
INDEXES = {
    "submission_standing": (
        "submission (campaign, enterprise, team, role, status, total, eligible, vetoed, "
        "min_section_percent, id)"
    ),
    "section_score_standing": "section_score (submission, section, score, percentage)",
}
# It replaces this one (2026-11-24T01:27:07), so that a submit still updates as many
# indexes as before; every query that read that one reads this one as well.
REPLACED = {
    "submission_ranking": (
        "submission (campaign, status, role, enterprise, team, total, eligible, vetoed, "
        "min_section_percent)"
    ),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ankang", description=DESCRIPTION)

    async def add_indexes() -> None:
        engine = engine_finder()
        for name, target in INDEXES.items():
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
        for name in REPLACED:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    async def drop_indexes() -> None:
        engine = engine_finder()
        for name, target in REPLACED.items():
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(add_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
