import io

import pytest
from django.core.management import CommandError, call_command

from analytics.models import Vibe
from personalify.testing.terminal import FakeTTY

pytestmark = pytest.mark.django_db


def test_evaluate_emotions_prints_agreement_per_split_for_the_local_backend(capsys):
    call_command("evaluate_emotions", "--backend", "local")
    out = capsys.readouterr().out
    assert "coarse top-1 agreement" in out
    for group in ("split:dev", "split:heldout", "split:fresh", "unseen (heldout+fresh)"):
        assert group in out
    # The mood reads lyrics: lyric lines the local model was not tuned on have their own line.
    assert "kind:line unseen" in out and "kind:title unseen" in out


def test_evaluate_emotions_reports_unavailable_when_remote_refuses(fake_hf, capsys):
    from personalify.testing.fakehttp import Reply

    from .conftest import ROUTE

    fake_hf.route("POST", ROUTE, Reply(401, json={"error": "Invalid credentials"}))
    with pytest.raises(CommandError, match="No backend"):
        call_command("evaluate_emotions", "--backend", "huggingface")
    assert "HuggingFaceAuthError" in capsys.readouterr().err


def test_analyze_moods_stores_vibes_with_a_progress_bar_when_user_given(user):
    out, err = io.StringIO(), FakeTTY()
    call_command("analyze_moods", "--user", "ana-spotify", stdout=out, stderr=err)
    assert "Stored 3 vibes for 1 users." in out.getvalue()
    assert "ana-spotify" in err.getvalue() and "\r" in err.getvalue()
    assert Vibe.objects.filter(user=user).count() == 3


def test_analyze_moods_fails_when_user_is_unknown():
    with pytest.raises(CommandError, match="No user"):
        call_command("analyze_moods", "--user", "nobody")
