import pytest

from .people import World


@pytest.fixture
def world(db) -> World:
    return World()
