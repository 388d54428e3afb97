from tests.leadership.world import world  # noqa: F401 - the fixture, for every test here
