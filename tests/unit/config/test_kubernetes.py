"""``[tool.shipway.environments.<name>]`` with ``target = "kubernetes"``: read apart from the
local environments, and every setting Kubernetes or Argo Rollouts could not take refused."""

from pathlib import Path

from shipway.config import load_project
from tests.unit.config.test_load import VALID, make_project, problems

KEY = "tool.shipway.environments.k8s-prod"


def kubernetes(**keys: str) -> str:
    base = {
        "target": '"kubernetes"',
        "namespace": '"chatbot"',
        "image": '"ghcr.io/acme/chatbot"',
    }
    lines = "".join(f"{key} = {value}\n" for key, value in {**base, **keys}.items())
    return f"[tool.shipway.environments.k8s-prod]\n{lines}"


def the_problem(tmp_path: Path, **keys: str) -> str:
    [problem] = problems(tmp_path, VALID + kubernetes(**keys))
    return problem


def test_a_kubernetes_environment_is_read_apart_from_the_local_ones(tmp_path: Path) -> None:
    toml = (
        VALID
        + "[tool.shipway.environments.dev]\nport = 8100\n"
        + kubernetes(
            strategy='"canary"',
            steps='[{ weight = 50, pause = "1m" }]',
            secrets='{ DATABASE_URL = "k8s:chatbot-db/url" }',
            resources='{ cpu = "250m", memory = "512Mi" }',
        )
    )
    config = load_project(make_project(tmp_path, toml)).config
    assert list(config.environments) == ["dev"]
    prod = config.kubernetes["k8s-prod"]
    assert (prod.namespace, prod.image, prod.replicas) == ("chatbot", "ghcr.io/acme/chatbot", 2)
    assert prod.secrets == {"DATABASE_URL": "k8s:chatbot-db/url"}
    assert (prod.resources.cpu, prod.resources.memory) == ("250m", "512Mi")
    assert prod.analysis.error_rate == 0.05  # the same rules as a local environment
    assert config.environment_names == ["dev", "k8s-prod"]


def test_a_bad_namespace_is_named_where_it_was_written(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, namespace='"Chat_Bot"')
    assert problem.startswith(f'{KEY}.namespace = "Chat_Bot": not in the allowed form')


def test_a_quantity_kubernetes_would_not_take_is_refused(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, resources='{ memory = "lots" }')
    assert problem.startswith(f'{KEY}.resources.memory = "lots": not a Kubernetes quantity')
    assert "'256Mi'" in problem


def test_an_image_with_a_tag_is_refused_the_tag_is_the_version(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, image='"ghcr.io/acme/chatbot:latest"')
    assert problem.startswith(f'{KEY}.image = "ghcr.io/acme/chatbot:latest"')
    assert "the tag is the release's version" in problem


def test_a_weight_that_is_not_a_whole_pod_needs_a_traffic_router(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, strategy='"canary"', replicas="4", steps="[{ weight = 25 }, { weight = 30 }]"
    )
    assert "steps[1].weight = 30" in problem
    assert "30 % of 4 is not a whole pod" in problem
    assert "multiples of 25 %" in problem
    assert 'traffic_router = "nginx"' in problem


def test_weights_by_replicas_cannot_follow_an_autoscaler(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        strategy='"canary"',
        steps="[{ weight = 50 }]",
        autoscaling="{ min_replicas = 2, max_replicas = 6 }",
    )
    assert "which autoscaling changes" in problem


def test_the_nginx_router_needs_an_ingress(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, traffic_router='"nginx"')
    assert 'it needs ingress = { host = "..." }' in problem


def test_a_secret_value_is_never_read_the_secret_must_exist_in_the_cluster(
    tmp_path: Path,
) -> None:
    problem = the_problem(tmp_path, secrets='{ API_TOKEN = "env:API_TOKEN" }')
    assert "kubectl create secret generic NAME --from-literal=API_TOKEN=" in problem
    assert "k8s:NAME/API_TOKEN" in problem


def test_a_kubernetes_secret_on_a_local_environment_is_refused(tmp_path: Path) -> None:
    toml = VALID + '[tool.shipway.environments.dev]\nport = 8100\nsecrets = { A = "k8s:s/a" }\n'
    [problem] = problems(tmp_path, toml)
    assert "names a Kubernetes Secret" in problem
    assert "env:NAME or file:PATH" in problem


def test_a_manual_pause_cannot_also_promote_on_its_own(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, pause='"manual"', auto_promotion_seconds='"5m"')
    assert "choose one" in problem


def test_an_autoscaler_range_must_be_a_range(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, autoscaling="{ min_replicas = 4, max_replicas = 2 }")
    assert "max_replicas = 2 is below min_replicas = 4" in problem


def test_the_kubernetes_table_is_not_written_directly(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, VALID + "[tool.shipway.kubernetes.x]\nnamespace = 'a'\n")
    assert 'with target = "kubernetes"' in problem


def test_argo_rollouts_counts_whole_seconds(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, strategy='"canary"', steps='[{ weight = 50, pause = "1500ms" }]'
    )
    assert "steps[0].pause = 1.5 s: Argo Rollouts counts whole seconds" in problem
    problem = the_problem(tmp_path, scale_down_delay='"2.5s"')
    assert "scale_down_delay = 2.5 s" in problem


def test_a_request_above_its_limit_is_refused(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, resources='{ memory = "1Gi", memory_limit = "512Mi" }')
    assert "memory = '1Gi' is more than memory_limit = '512Mi'" in problem
    problem = the_problem(tmp_path, resources='{ cpu = "1500m", cpu_limit = "1" }')
    assert "cpu = '1500m' is more than cpu_limit = '1'" in problem


def test_quantities_compare_by_amount() -> None:
    from shipway.config.kubernetes import quantity_value

    assert quantity_value("250m") < quantity_value("0.5") < quantity_value("1")
    assert quantity_value("1Gi") == 1024 * quantity_value("1Mi") > quantity_value("1G")
    assert quantity_value("1e3") == quantity_value("1k")


def test_a_variable_is_a_setting_or_a_secret_not_both(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, settings='{ TOKEN = "x" }', secrets='{ TOKEN = "k8s:api/token" }'
    )
    assert "TOKEN: both in settings and in secrets" in problem


def test_two_environments_in_one_namespace_would_share_objects(tmp_path: Path) -> None:
    other = kubernetes().replace("k8s-prod", "k8s-staging")
    [problem] = problems(tmp_path, VALID + kubernetes() + other)
    assert "environments k8s-prod and k8s-staging both deploy to namespace 'chatbot'" in problem
    other = kubernetes(context='"staging-cluster"').replace("k8s-prod", "k8s-staging")
    load_project(make_project(tmp_path, VALID + kubernetes() + other))  # another cluster
