"""The collection pages' world (a town, two enterprises, an open campaign, one account
per role) serves the series tests too."""

from tests.collection.test_pages import app, world  # noqa: F401 - fixtures
