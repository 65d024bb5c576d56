"""What is missing before a Kubernetes deploy, each said with what to install or check."""

from shipway.decisions.kubernetes import preflight
from shipway.decisions.kubernetes.commands import Cluster
from shipway.decisions.kubernetes.preflight import Check

HERE = Cluster(namespace="shop", context="prod")


def test_nothing_is_wrong_when_every_check_passes() -> None:
    for check in (Check.KUBECTL, Check.PLUGIN, Check.CLUSTER):
        assert preflight.problem(check, 0, "", HERE) is None
    served = "rollouts.argoproj.io\nanalysistemplates.argoproj.io\nexperiments.argoproj.io\n"
    assert preflight.problem(Check.ARGO, 0, served, HERE) is None


def test_missing_kubectl_says_what_to_install() -> None:
    said = preflight.problem(Check.KUBECTL, 127, "kubectl: command not found", HERE)
    assert said is not None
    assert "kubectl is not installed" in said
    assert preflight.KUBECTL_INSTALL in said


def test_missing_plugin_says_what_to_install() -> None:
    said = preflight.problem(Check.PLUGIN, 1, 'Error: unknown command "argo" for "kubectl"', HERE)
    assert said is not None
    assert "Argo Rollouts kubectl plugin is missing" in said
    assert 'unknown command "argo"' in said
    assert "kubectl-argo-rollouts" in said


def test_an_unreachable_cluster_names_where_and_what_to_check() -> None:
    output = (
        'E1123 04:52:38.067016 18937 memcache.go:265] "Unhandled Error" err="couldn\'t get"\n'
        "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?"
    )
    said = preflight.problem(Check.CLUSTER, 1, output, HERE)
    assert said is not None
    assert "cannot reach the cluster (context 'prod', namespace shop)" in said
    assert "127.0.0.1:1 was refused" in said
    assert "kubeconfig" in said
    missing_context = preflight.problem(
        Check.CLUSTER, 1, 'error: context "prod" does not exist', HERE
    )
    assert missing_context is not None
    assert "kubectl config get-contexts" in missing_context


def test_argo_rollouts_missing_from_the_cluster_says_how_to_install_it() -> None:
    said = preflight.problem(Check.ARGO, 0, "", Cluster(namespace="shop"))
    assert said is not None
    assert "Argo Rollouts is not installed in the cluster" in said
    assert "rollouts.argoproj.io, analysistemplates.argoproj.io" in said
    assert "kubectl's current context" in said
    assert "install.yaml" in said
    failed = preflight.problem(Check.ARGO, 1, "Error from server (Forbidden)", HERE)
    assert failed is not None
    assert "Forbidden" in failed
