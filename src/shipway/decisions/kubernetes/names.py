"""The names of an environment's Kubernetes objects, from the service's package name: one
place, so the manifests and the kubectl commands always agree."""

import re

MAX_NAME = 52  # leaves room for the suffixes below within a DNS-1123 label's 63 characters


def app_name(package: str) -> str:
    """``Chat_Bot.api`` → ``chat-bot-api``: a DNS-1123 label (lowercase, digits, '-')."""
    name = re.sub(r"[^a-z0-9]+", "-", package.lower()).strip("-")
    return name[:MAX_NAME].rstrip("-") or "service"


def rollout(package: str) -> str:
    return app_name(package)


def stable_service(package: str) -> str:
    """The Service of the stable (canary) or active (blue-green) pods."""
    return f"{app_name(package)}-stable"


def canary_service(package: str) -> str:
    """The Service of the canary (canary) or preview (blue-green) pods."""
    return f"{app_name(package)}-canary"


def analysis_template(package: str) -> str:
    return f"{app_name(package)}-analysis"


def lease(package: str) -> str:
    """The deploy lock: a coordination.k8s.io Lease in the namespace."""
    return f"{app_name(package)}-deploy-lock"


def service(package: str) -> str:
    """The Service of every pod, old and new: what the Ingress and in-cluster clients use for
    a canary without a traffic router (the replica count weighs the traffic)."""
    return app_name(package)


def ingress(package: str) -> str:
    return app_name(package)


def service_account(package: str) -> str:
    return app_name(package)


def autoscaler(package: str) -> str:
    """The HorizontalPodAutoscaler."""
    return app_name(package)


def disruption_budget(package: str) -> str:
    """The PodDisruptionBudget."""
    return app_name(package)
