"""The objects a kustomize directory builds into, as the dry run lists them."""

import pytest

from shipway.decisions.kubernetes import plan
from shipway.errors import ShipwayError

BUILT = """apiVersion: v1
kind: Service
metadata:
  name: chatbot-stable
  namespace: shop
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: chatbot
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: chatbot
  namespace: elsewhere
"""


def test_objects_and_the_ones_outside_the_namespace() -> None:
    found = plan.objects(BUILT)
    assert [o.describe() for o in found] == [
        "Service/chatbot-stable",
        "Rollout/chatbot",
        "ServiceAccount/chatbot",
    ]
    assert plan.misplaced(found, "shop") == ["ServiceAccount/chatbot (namespace elsewhere)"]
    assert plan.objects("") == []


def test_output_that_is_not_objects_is_refused() -> None:
    with pytest.raises(ShipwayError, match="no valid YAML"):
        plan.objects("a: [")
    with pytest.raises(ShipwayError, match="a list, not an object"):
        plan.objects("- 1\n")
