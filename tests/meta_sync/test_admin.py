"""The SyncRun admin: a read-only log of imports."""

import pytest
from django.urls import reverse

from meta_sync.services import sync_meta

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="operator", password="x" * 20)
    client.force_login(user)
    return client


def test_sync_runs_are_listed_and_shown_read_only(operator, irregular_repo):
    sync_meta(path=irregular_repo.root, election_dir="elections", trigger="command")
    from meta_sync.models import SyncRun

    run = SyncRun.objects.get()
    changelist = operator.get(reverse("admin:meta_sync_syncrun_changelist"))
    assert changelist.status_code == 200
    assert "command" in changelist.content.decode()
    detail = operator.get(reverse("admin:meta_sync_syncrun_change", args=[run.pk]))
    assert detail.status_code == 200
    assert "club---2025" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert operator.get(reverse("admin:meta_sync_syncrun_add")).status_code == 403
    assert operator.get(reverse("admin:meta_sync_syncrun_delete", args=[run.pk])).status_code == 403


def test_deliveries_and_election_aliases_are_listed_read_only(operator, meta_repo):
    from meta_sync.models import ElectionAlias, SyncRequest
    from meta_sync.queue import sync_request_enqueue

    meta_repo.add_election("old")
    sync_request_enqueue(delivery_id="delivery-1", ref="refs/heads/main")
    sync_meta(path=meta_repo.root, election_dir="elections", trigger="command")
    meta_repo.folder("old").rename(meta_repo.folder("new"))
    sync_meta(path=meta_repo.root, election_dir="elections", trigger="command")

    for model, text in ((SyncRequest, "delivery-1"), (ElectionAlias, "old")):
        name = model._meta.model_name
        row = model.objects.get()
        changelist = operator.get(reverse(f"admin:meta_sync_{name}_changelist"))
        assert changelist.status_code == 200 and text in changelist.content.decode()
        detail = operator.get(reverse(f"admin:meta_sync_{name}_change", args=[row.pk]))
        assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
        assert operator.get(reverse(f"admin:meta_sync_{name}_add")).status_code == 403
        assert operator.get(reverse(f"admin:meta_sync_{name}_delete", args=[row.pk])).status_code == 403
