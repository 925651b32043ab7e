"""A change of a subscription racing its deletion answers 404, never 500: the deletion may commit between
the change and the read of the answer (the database drops the row under the request)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from gongxin.sharing.models import Subscription
from gongxin.sharing.services import subscription_delete

pytestmark = pytest.mark.django_db


def test_patch_racing_a_delete_answers_not_found(gov):
    created = gov.http().post("/api/v1/sharing/subscriptions", data=json.dumps({"name": "采购主体"}),
                              content_type="application/json").json()
    state = {"updated": False, "deleted": False}

    def delete_after_the_change(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        # The other request's DELETE commits right after this one's UPDATE, before its answer is read.
        if state["updated"] and not state["deleted"] and sql.lstrip().upper().startswith("SELECT"):
            state["deleted"] = True
            subscription_delete(subscription_id=created["id"], actor=gov.viewer)
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("UPDATE") and "sharing_subscription" in sql:
            state["updated"] = True
        return result

    with connection.execute_wrapper(delete_after_the_change):
        response = gov.http().patch(f"/api/v1/sharing/subscriptions/{created['id']}",
                                    data=json.dumps({"name": "改名"}), content_type="application/json")
    assert state["deleted"]
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "sharing.subscription_not_found"
    assert not Subscription.objects.filter(pk=created["id"]).exists()
