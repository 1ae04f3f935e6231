import pytest

from accounts.models import User


@pytest.fixture
def alice(db):
    return User.objects.create(username="alice", spotify_id="alice-sp", display_name="Alice")


@pytest.fixture
def bob(db):
    return User.objects.create(username="bob", spotify_id="bob-sp", display_name="Bob")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client
