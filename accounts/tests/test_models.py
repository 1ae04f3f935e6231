import pytest
from django.db import IntegrityError, connection

pytestmark = pytest.mark.django_db


def test_user_lives_in_the_seed_users_table_with_its_columns():
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "users")}
    assert {"id", "spotify_id", "display_name"} <= columns


def test_user_spotify_id_is_unique(django_user_model):
    django_user_model.objects.create(username="a", spotify_id="same")
    with pytest.raises(IntegrityError):
        django_user_model.objects.create(username="b", spotify_id="same")


def test_users_without_spotify_id_can_coexist(django_user_model):
    django_user_model.objects.create(username="admin1")
    django_user_model.objects.create(username="admin2")
    assert django_user_model.objects.filter(spotify_id__isnull=True).count() == 2
