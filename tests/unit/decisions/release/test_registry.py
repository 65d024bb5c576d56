"""Where inv push pushes a build's image, and whether a tag may be written."""

from pathlib import Path

import pytest

from shipway.config.kubernetes import KubernetesEnvironment
from shipway.decisions.release import registry
from shipway.decisions.release.registry import Action, Destination, Remote
from shipway.errors import ShipwayError

LOCAL = "sha256:" + "a" * 64
OTHER = "sha256:" + "b" * 64


def k8s(image: str) -> KubernetesEnvironment:
    return KubernetesEnvironment.model_validate(
        {"target": "kubernetes", "namespace": "shop", "image": image}
    )


ENVIRONMENTS = {
    "k8s-prod": k8s("ghcr.io/acme/svc"),
    "k8s-staging": k8s("ghcr.io/acme/svc"),
    "k8s-eu": k8s("registry.example.com:5000/acme/svc"),
}


def test_every_kubernetes_repository_gets_one_push_at_the_pods_tag() -> None:
    wanted = registry.destinations(ENVIRONMENTS, "1.4.0.dev2+gabc1234")
    assert wanted == [
        Destination("docker://registry.example.com:5000/acme/svc:1.4.0.dev2-gabc1234", ("k8s-eu",)),
        Destination("docker://ghcr.io/acme/svc:1.4.0.dev2-gabc1234", ("k8s-prod", "k8s-staging")),
    ]
    assert wanted[1].describe() == (
        "docker://ghcr.io/acme/svc:1.4.0.dev2-gabc1234 (k8s-prod, k8s-staging)"
    )
    assert registry.destinations({}, "1.0.0") == []


def test_env_narrows_the_push_and_a_local_or_unknown_one_is_refused() -> None:
    assert registry.destinations(ENVIRONMENTS, "1.0.0", "k8s-eu") == [
        Destination("docker://registry.example.com:5000/acme/svc:1.0.0", ("k8s-eu",))
    ]
    with pytest.raises(ShipwayError, match="--env dev: dev is a local environment: its releases"):
        registry.destinations(ENVIRONMENTS, "1.0.0", "dev", local=["dev"])
    with pytest.raises(
        ShipwayError,
        match=r"no environment qa in .*Kubernetes environment .*: k8s-eu, k8s-prod, k8s-staging",
    ):
        registry.destinations(ENVIRONMENTS, "1.0.0", "qa")


def test_the_source_is_the_builds_oci_archive() -> None:
    archive = Path("dist/svc/1.0/image.oci.tar")
    assert registry.source_reference(archive) == "oci-archive:dist/svc/1.0/image.oci.tar"


def test_a_digest_is_the_sha256_of_the_manifests_bytes() -> None:
    assert registry.digest_of(b"{}") == (
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    )


@pytest.mark.parametrize(
    "message",
    [
        # skopeo 1.9.3's own words, against a registry and an OCI layout
        "reading manifest 1.0 in ghcr.io/acme/svc: manifest unknown: manifest unknown",
        "reading manifest 1.0 in r/x: name unknown: repository name not known to registry",
        'Error parsing image name "oci:d:2.0.0": no descriptor found for reference "2.0.0"',
        'Error parsing image name "oci:d:1": open d/index.json: no such file or directory',
    ],
)
def test_a_tag_that_names_no_image_is_absent(message: str) -> None:
    assert registry.is_absent(f'time="..." level=fatal msg="{message}"')


def test_an_unreachable_registry_is_not_absent() -> None:
    assert not registry.is_absent(
        'pinging container registry 127.0.0.1:5999: Get "https://127.0.0.1:5999/v2/": dial '
        "tcp 127.0.0.1:5999: connect: connection refused"
    )
    assert not registry.is_absent("unauthorized: authentication required")


DESTINATION = Destination("docker://ghcr.io/acme/svc:1.0.0", ("k8s-prod",))


def test_a_missing_tag_is_copied_and_the_same_image_kept() -> None:
    assert registry.decide(DESTINATION, LOCAL, Remote(absent=True)) is Action.COPY
    assert registry.decide(DESTINATION, LOCAL, Remote(digest=LOCAL)) is Action.KEEP


def test_a_tag_holding_another_image_is_never_overwritten() -> None:
    with pytest.raises(ShipwayError) as refused:
        registry.decide(DESTINATION, LOCAL, Remote(digest=OTHER))
    message = str(refused.value)
    assert "docker://ghcr.io/acme/svc:1.0.0 (k8s-prod) already holds another image" in message
    assert OTHER in message
    assert LOCAL in message
    assert "a pushed tag never changes" in message


def test_a_registry_that_cannot_be_read_is_said_with_its_last_line() -> None:
    with pytest.raises(ShipwayError, match=r"cannot read .* from its registry: connection refused"):
        registry.decide(DESTINATION, LOCAL, Remote(error="connection refused"))


def test_a_copy_is_checked_by_reading_the_tag_back() -> None:
    assert registry.pushed(DESTINATION, LOCAL, Remote(digest=LOCAL)) is None
    assert f"holds {OTHER}, not" in (
        registry.pushed(DESTINATION, LOCAL, Remote(digest=OTHER)) or ""
    )


def test_messages_say_what_to_do() -> None:
    assert "`inv build --image`" in registry.no_archive("svc", "1.0.0", ["k8s-prod"])
    assert "`apt install skopeo`" in registry.missing_tool()


def test_skopeos_fatal_line_is_shown_as_its_message() -> None:
    line = (
        'time="2026-11-23T05:10:50Z" level=fatal msg="Error parsing image name '
        '\\"docker://127.0.0.1:9/a/b:1\\": pinging container registry 127.0.0.1:9: '
        'connect: connection refused"'
    )
    assert registry.reason(line) == (
        'Error parsing image name "docker://127.0.0.1:9/a/b:1": pinging container registry '
        "127.0.0.1:9: connect: connection refused"
    )
    assert registry.reason("unauthorized: authentication required") == (
        "unauthorized: authentication required"
    )
