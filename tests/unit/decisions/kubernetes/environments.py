"""Kubernetes environments for the manifest tests, built from keys as pyproject.toml holds
them."""

from typing import Any

from shipway.config.kubernetes import KubernetesEnvironment

PACKAGE = "chatbot"
APP = "chatbot.app:app"

BASE: dict[str, Any] = {
    "target": "kubernetes",
    "namespace": "chatbot",
    "image": "ghcr.io/acme/chatbot",
    "ready_path": "/ready",
}

# What the golden files hold: one environment per strategy, and one with every optional object.
GOLDEN: dict[str, dict[str, Any]] = {
    "canary-nginx": {
        "strategy": "canary",
        "replicas": 3,
        "traffic_router": "nginx",
        "ingress": {"host": "chatbot.example.com"},
        "steps": [{"weight": 5, "pause": "30s"}, {"weight": 50, "pause": "manual"}],
        "settings": {"CHATBOT_MODEL": "echo-1"},
        "analysis": {"error_rate": 0.05, "p95_ms": 2000, "window": "2m", "interval": "30s"},
        "metrics": {
            "requests": "chatbot_http_requests_total",
            "duration": "chatbot_http_request_duration_seconds",
        },
    },
    "blue-green": {
        "strategy": "blue-green",
        "pause": "manual",
        "ready_path": "/",
        "secrets": {"DATABASE_URL": "k8s:chatbot-db/url"},
        "analysis": {"p99_ms": 3000, "inconclusive": "fail"},
    },
    "autoscaled-tls": {
        "strategy": "canary",
        "traffic_router": "nginx",
        "autoscaling": {"min_replicas": 2, "max_replicas": 6},
        "ingress": {"host": "chat.example.com", "tls_secret": "chat-tls"},
        "resources": {"cpu": "250m", "memory": "512Mi", "cpu_limit": "1", "memory_limit": None},
        "disruption_budget": {"max_unavailable": 2},
    },
}


def environment(**keys: Any) -> KubernetesEnvironment:
    return KubernetesEnvironment.model_validate({**BASE, **keys})
