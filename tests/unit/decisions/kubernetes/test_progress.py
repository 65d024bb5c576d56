"""A Rollout's status, the outcome of following it, and the revision a rollback goes to."""

import re
from typing import Any

import pytest

from shipway.decisions.deploy.flow import DeployOutcome
from shipway.decisions.kubernetes import progress as rollouts
from shipway.decisions.kubernetes.progress import Followed, Phase, Then, Watched
from shipway.errors import ShipwayError

STEPS = [{"setWeight": 20}, {"pause": {}}, {"setWeight": 50}, {"pause": {"duration": "1m"}}]


def replica_set(
    revision: int, version: str, pod_hash: str, owner: str = "chatbot"
) -> dict[str, Any]:
    return {
        "metadata": {
            "name": f"chatbot-{pod_hash}",
            "labels": {"rollouts-pod-template-hash": pod_hash},
            "annotations": {"rollout.argoproj.io/revision": str(revision)},
            "ownerReferences": [{"kind": "Rollout", "name": owner}],
        },
        "spec": {
            "template": {"spec": {"containers": [{"image": f"ghcr.io/acme/chatbot:{version}"}]}}
        },
        "status": {"replicas": 2, "readyReplicas": 2},
    }


SETS = rollouts.replica_sets(
    {
        "items": [
            replica_set(1, "1.0.0", "aaa"),
            replica_set(3, "3.0.0", "ccc"),
            replica_set(2, "2.0.0", "bbb"),
            replica_set(9, "9.9.9", "zzz", owner="other"),
            {
                "metadata": {
                    "name": "no-revision",
                    "ownerReferences": [{"kind": "Rollout", "name": "chatbot"}],
                }
            },
        ]
    },
    "chatbot",
)


def rollout(status: dict[str, Any], version: str = "3.0.0", **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "chatbot"},
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": "chatbot", "tier": "web"}},
            "template": {"spec": {"containers": [{"image": f"ghcr.io/acme/chatbot:{version}"}]}},
            "strategy": {"canary": {"steps": STEPS}},
            **spec,
        },
        "status": status,
    }


HEALTHY = {
    "phase": "Healthy",
    "stableRS": "ccc",
    "currentPodHash": "ccc",
    "replicas": 2,
    "readyReplicas": 2,
}


def test_replica_sets_are_the_rollouts_own_newest_first() -> None:
    assert [(rs.revision, rs.version, rs.pod_hash) for rs in SETS] == [
        (3, "3.0.0", "ccc"),
        (2, "2.0.0", "bbb"),
        (1, "1.0.0", "aaa"),
    ]


def test_versions_come_from_the_annotation_else_the_image_tag() -> None:
    assert rollouts.image_version("registry:5000/acme/chatbot:2.0.0") == "2.0.0"
    assert rollouts.image_version("registry:5000/acme/chatbot") is None
    assert rollouts.image_version("acme/chatbot@sha256:abc") is None
    template = {"metadata": {"annotations": {"shipway.dev/version": "1.0.0.dev3+gabc"}}, "spec": {}}
    assert rollouts.template_version(template) == "1.0.0.dev3+gabc"
    assert rollouts.template_version({"spec": {"containers": []}}) is None


def test_the_selector_is_the_rollouts_match_labels() -> None:
    assert rollouts.selector(rollout(HEALTHY)) == "app.kubernetes.io/name=chatbot,tier=web"
    with pytest.raises(ShipwayError, match=re.escape("no spec.selector.matchLabels")):
        rollouts.selector({"metadata": {"name": "x"}, "spec": {}})


def test_a_healthy_rollout_serves_its_stable_version() -> None:
    summary = rollouts.summarize(rollout(HEALTHY), SETS)
    assert summary.phase is Phase.HEALTHY
    assert summary.healthy
    assert (summary.stable_version, summary.canary_version, summary.canary_weight) == (
        "3.0.0",
        None,
        None,
    )
    assert summary.revision == 3
    assert not summary.waiting_for_promotion
    assert summary.record()["phase"] == "Healthy"
    assert "serving (stable): 3.0.0" in "\n".join(rollouts.describe(summary))


def test_a_canary_paused_at_a_step_without_duration_waits_for_promotion() -> None:
    status = {
        "phase": "Paused",
        "message": "CanaryPauseStep",
        "stableRS": "bbb",
        "currentPodHash": "ccc",
        "currentStepIndex": 1,
        "pauseConditions": [{"reason": "CanaryPauseStep"}],
    }
    summary = rollouts.summarize(rollout(status), SETS)
    assert (summary.stable_version, summary.canary_version) == ("2.0.0", "3.0.0")
    assert (summary.step, summary.steps, summary.canary_weight) == (1, 4, 20)
    assert summary.waiting_for_promotion
    assert not summary.healthy
    lines = "\n".join(rollouts.describe(summary))
    assert "canary: 3.0.0, step 2 of 4, 20 % of traffic" in lines
    assert "waiting for promotion" in lines


def test_a_timed_pause_does_not_wait_for_promotion_and_router_weights_win() -> None:
    status = {
        "phase": "Paused",
        "stableRS": "bbb",
        "currentPodHash": "ccc",
        "currentStepIndex": 3,
        "pauseConditions": [{"reason": "CanaryPauseStep"}],
        "canary": {"weights": {"canary": {"weight": 45}, "stable": {"weight": 55}}},
    }
    summary = rollouts.summarize(rollout(status), SETS)
    assert not summary.waiting_for_promotion
    assert summary.canary_weight == 45


def test_blue_green_waits_without_auto_promotion_and_a_paused_spec_always_waits() -> None:
    status = {
        "phase": "Paused",
        "stableRS": "bbb",
        "currentPodHash": "ccc",
        "pauseConditions": [{"reason": "BlueGreenPause"}],
    }
    manual = {"blueGreen": {"activeService": "a", "autoPromotionEnabled": False}}
    summary = rollouts.summarize(rollout(status, strategy=manual), SETS)
    assert (summary.strategy, summary.step, summary.canary_weight) == ("blue-green", None, None)
    assert summary.waiting_for_promotion
    assert "preview: 3.0.0" in "\n".join(rollouts.describe(summary))
    automatic = {"blueGreen": {"activeService": "a"}}
    assert not rollouts.summarize(rollout(status, strategy=automatic), SETS).waiting_for_promotion
    assert rollouts.summarize(rollout({"phase": "Paused"}, paused=True), SETS).waiting_for_promotion


def test_an_aborted_rollout_is_degraded_and_not_healthy() -> None:
    status = {
        "phase": "Degraded",
        "abort": True,
        "stableRS": "bbb",
        "currentPodHash": "ccc",
        "message": "RolloutAborted: Rollout aborted update to revision 3",
    }
    summary = rollouts.summarize(rollout(status), SETS)
    assert (summary.phase, summary.aborted, summary.healthy) == (Phase.DEGRADED, True, False)
    assert rollouts.Phase.of("Whatever") is Phase.UNKNOWN


# -- following -----------------------------------------------------------------------------


def test_status_lines_are_progress() -> None:
    assert rollouts.progress("Paused - CanaryPauseStep") == rollouts.Progress(
        Phase.PAUSED, "CanaryPauseStep"
    )
    assert rollouts.progress("Healthy") == rollouts.Progress(Phase.HEALTHY, "")
    assert rollouts.progress("Error: something") is None


def test_what_following_says_exit_status_and_output() -> None:
    progressing = "Progressing - more replicas need to be updated\n"
    assert rollouts.followed(0, progressing + "Healthy\n").followed is Followed.HEALTHY
    aborted = rollouts.followed(
        1,
        progressing + "Degraded - RolloutAborted: Rollout aborted update to revision 3: Metric "
        '"error-rate" assessed Failed\nError: The rollout is in a degraded state with message: '
        'RolloutAborted: Rollout aborted update to revision 3: Metric "error-rate" assessed Failed\n',
    )
    assert aborted.followed is Followed.ABORTED
    assert aborted.message.startswith("RolloutAborted: Rollout aborted update to revision 3")
    deadline = rollouts.followed(
        1, "Error: The rollout is in a degraded state with message: ProgressDeadlineExceeded: x\n"
    )
    assert deadline == Watched(Followed.DEGRADED, "ProgressDeadlineExceeded: x")
    timed_out = rollouts.followed(
        1, "Paused - CanaryPauseStep\nError: Rollout status watch exceeded timeout\n"
    )
    assert timed_out == Watched(Followed.TIMED_OUT, "Paused - CanaryPauseStep")
    assert (
        rollouts.followed(124, "Progressing - x\n", timed_out_here=True).followed
        is Followed.TIMED_OUT
    )
    lost = rollouts.followed(1, 'Error: rollouts.argoproj.io "chatbot" not found\n')
    assert lost == Watched(Followed.LOST, 'Error: rollouts.argoproj.io "chatbot" not found')
    assert rollouts.followed(1, "").message == "exit status 1"


@pytest.mark.parametrize(
    ("followed", "waiting", "then", "outcome"),
    [
        (Followed.HEALTHY, False, Then.DONE, DeployOutcome.SUCCEEDED),
        (Followed.ABORTED, False, Then.FAIL, DeployOutcome.ROLLED_BACK),
        (Followed.DEGRADED, False, Then.ABORT, DeployOutcome.ROLLED_BACK),
        (Followed.TIMED_OUT, False, Then.ABORT, DeployOutcome.ROLLED_BACK),
        (Followed.TIMED_OUT, True, Then.LEAVE_HELD, None),
        (Followed.HELD, True, Then.LEAVE_HELD, None),
        (Followed.INTERRUPTED, False, Then.ABORT, DeployOutcome.ABORTED),
        (Followed.LOST, False, Then.FAIL, DeployOutcome.FAILED),
    ],
)
def test_what_a_deploy_does_after_following(
    followed: Followed, waiting: bool, then: Then, outcome: DeployOutcome | None
) -> None:
    conclusion = rollouts.conclude(
        Watched(followed, "m"), waiting_for_promotion=waiting, timeout=900
    )
    assert (conclusion.then, conclusion.outcome) == (then, outcome)
    if followed is Followed.TIMED_OUT:
        assert "900s" in conclusion.reason


# -- rollback ------------------------------------------------------------------------------


def test_rollback_goes_to_the_newest_older_revision_of_another_version() -> None:
    healthy = rollouts.summarize(rollout(HEALTHY), SETS)
    assert rollouts.choose_revision(healthy, SETS, None, "prod") == rollouts.RollbackChoice(
        2, "2.0.0", "3.0.0"
    )
    assert rollouts.choose_revision(healthy, SETS, "1.0.0", "prod") == rollouts.RollbackChoice(
        1, "1.0.0", "3.0.0"
    )


def test_a_version_redeployed_later_is_found_at_its_newest_revision() -> None:
    sets = rollouts.replica_sets(
        {
            "items": [
                replica_set(4, "2.0.0", "ddd"),
                replica_set(2, "2.0.0", "bbb"),
                replica_set(5, "3.0.0", "eee"),
            ]
        },
        "chatbot",
    )
    now = rollouts.summarize(rollout({**HEALTHY, "stableRS": "eee", "currentPodHash": "eee"}), sets)
    assert rollouts.choose_revision(now, sets, "2.0.0", "prod").revision == 4


def test_rollback_refusals_say_why_and_what_to_do() -> None:
    healthy = rollouts.summarize(rollout(HEALTHY), SETS)
    with pytest.raises(ShipwayError, match=re.escape("3.0.0 is already serving in prod")):
        rollouts.choose_revision(healthy, SETS, "3.0.0", "prod")
    with pytest.raises(
        ShipwayError,
        match=r"0.1.0 is not among .* \(3.0.0, 2.0.0, 1.0.0\); deploy it again: inv deploy --env prod --version 0.1.0",
    ):
        rollouts.choose_revision(healthy, SETS, "0.1.0", "prod")
    only = [SETS[0]]
    with pytest.raises(ShipwayError, match="no earlier release to roll back to in prod"):
        rollouts.choose_revision(healthy, only, None, "prod")
    progressing = rollouts.summarize(
        rollout({"phase": "Progressing", "stableRS": "bbb", "currentPodHash": "ccc"}), SETS
    )
    with pytest.raises(ShipwayError, match=r"in progress in prod .*inv abort --env prod"):
        rollouts.choose_revision(progressing, SETS, None, "prod")
