"""Every task on a Kubernetes environment, mapped to its kubectl argv."""

from pathlib import Path

from shipway.config.kubernetes import KubernetesEnvironment
from shipway.decisions.kubernetes import commands, plan
from shipway.decisions.kubernetes.commands import Cluster

PROD = Cluster(namespace="shop", context="prod-eu")
SCOPE = ["--context", "prod-eu", "--namespace", "shop"]


def test_the_scope_follows_the_verb_so_plugin_commands_take_it_too() -> None:
    assert Cluster(namespace="shop").scope == ["--namespace", "shop"]
    assert PROD.kubectl("get", "pods") == ["kubectl", "get", "pods", *SCOPE]
    assert PROD.rollouts("abort", "chatbot") == [
        "kubectl",
        "argo",
        "rollouts",
        "abort",
        "chatbot",
        *SCOPE,
    ]
    config = KubernetesEnvironment.model_validate(
        {"target": "kubernetes", "namespace": "shop", "image": "ghcr.io/acme/chatbot"}
    )
    assert Cluster.of(config) == Cluster(namespace="shop", context=None)


def test_preflight_commands() -> None:
    assert commands.client_version() == ["kubectl", "version", "--client", "-o", "json"]
    assert commands.plugin_version() == ["kubectl", "argo", "rollouts", "version"]
    assert commands.server_version(PROD) == [
        "kubectl",
        "version",
        "-o",
        "json",
        "--request-timeout=20s",
        *SCOPE,
    ]
    assert commands.argo_resources(PROD) == [
        "kubectl",
        "api-resources",
        "--api-group=argoproj.io",
        "-o",
        "name",
        *SCOPE,
    ]


def test_deploy_applies_server_side_and_follows_with_the_rollouts_timeout() -> None:
    assert commands.kustomize(Path("/m")) == ["kubectl", "kustomize", "/m"]
    assert commands.apply(PROD, Path("/m")) == [
        "kubectl",
        "apply",
        "--server-side",
        "--field-manager=shipway",
        "--force-conflicts",
        "-k",
        "/m",
        *SCOPE,
    ]

    assert "--dry-run=server" in commands.apply(PROD, Path("/m"), dry_run=True)
    assert commands.rollout_status(PROD, "chatbot", 900) == [
        "kubectl",
        "argo",
        "rollouts",
        "status",
        "chatbot",
        "--watch",
        "--timeout",
        "900s",
        *SCOPE,
    ]
    assert commands.rollout_status(PROD, "chatbot", 0.2)[-5] == "1s"


def test_promote_abort_rollback_status_logs() -> None:
    rollouts = ["kubectl", "argo", "rollouts"]
    assert commands.promote(PROD, "chatbot") == [*rollouts, "promote", "chatbot", *SCOPE]
    assert commands.promote(PROD, "chatbot", full=True) == [
        *rollouts,
        "promote",
        "chatbot",
        "--full",
        *SCOPE,
    ]
    assert commands.abort(PROD, "chatbot") == [*rollouts, "abort", "chatbot", *SCOPE]
    assert commands.undo(PROD, "chatbot", 7) == [
        *rollouts,
        "undo",
        "chatbot",
        "--to-revision=7",
        *SCOPE,
    ]
    assert commands.get_rollout(PROD, "chatbot") == [
        "kubectl",
        "get",
        "rollouts.argoproj.io",
        "chatbot",
        "-o",
        "json",
        "--ignore-not-found",
        *SCOPE,
    ]
    assert commands.replica_sets(PROD, "app=chatbot") == [
        "kubectl",
        "get",
        "replicasets",
        "-l",
        "app=chatbot",
        "-o",
        "json",
        *SCOPE,
    ]
    logs = [
        "kubectl",
        "logs",
        "-l",
        "app=chatbot",
        "--all-containers",
        "--prefix",
        "--max-log-requests=20",
    ]
    assert commands.logs(PROD, "app=chatbot", follow=False) == [*logs, "--tail=200", *SCOPE]
    assert commands.logs(PROD, "app=chatbot", follow=True) == [*logs, "--follow", *SCOPE]


def test_the_lease_commands() -> None:
    assert commands.get_lease(PROD, "chatbot-deploy-lock") == [
        "kubectl",
        "get",
        "leases.coordination.k8s.io",
        "chatbot-deploy-lock",
        "-o",
        "json",
        "--ignore-not-found",
        *SCOPE,
    ]
    assert commands.create_lease(PROD) == ["kubectl", "create", "-f", "-", "-o", "json", *SCOPE]
    assert commands.replace_lease(PROD) == ["kubectl", "replace", "-f", "-", "-o", "json", *SCOPE]


def test_the_deploy_plan_lists_every_command_in_order() -> None:
    config = KubernetesEnvironment.model_validate(
        {
            "target": "kubernetes",
            "namespace": "shop",
            "image": "ghcr.io/acme/chatbot",
            "rollout_timeout": "5m",
        }
    )
    steps = plan.deploy_commands(PROD, "chatbot", "chatbot-deploy-lock", Path("/m"), config)
    argvs = [argv for _, argv in steps]
    assert argvs.index(commands.create_lease(PROD)) < argvs.index(commands.apply(PROD, Path("/m")))
    assert argvs.index(commands.apply(PROD, Path("/m"))) < argvs.index(
        commands.rollout_status(PROD, "chatbot", 300)
    )
    assert argvs[-1] == commands.replace_lease(PROD)
    assert all(argv[0] == "kubectl" for argv in argvs)
