"""The collection pages' world (a town, two enterprises, an open campaign, one account
per role) and its app, for the home page's tests."""

from tests.collection.test_pages import app, world  # noqa: F401
