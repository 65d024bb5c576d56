"""The deploy lock as a Lease: each state, transition by transition."""

from datetime import UTC, datetime, timedelta

from shipway.decisions.kubernetes import lease as leases
from shipway.decisions.kubernetes.lease import Holder, LeaseState, Write

NOW = datetime(2026, 11, 23, 4, 0, 0, tzinfo=UTC)
ME = Holder("ana", "laptop", 100)
BOB = Holder("bob", "ci-runner", 7)


def lease_of(holder: Holder | None, renewed: datetime = NOW, seconds: int = 60) -> leases.Lease:
    document = leases.held_object(
        "chatbot-deploy-lock",
        "shop",
        holder or ME,
        who="x",
        action="deploying 2.0.0",
        version="2.0.0",
        now=renewed,
        seconds=seconds,
    )
    document["metadata"]["resourceVersion"] = "41"
    if holder is None:
        document["spec"].pop("holderIdentity")
    return leases.parse(document)


def test_the_lease_object_names_the_holder_the_times_and_what_it_does() -> None:
    document = leases.held_object(
        "chatbot-deploy-lock",
        "shop",
        ME,
        who="github:ana (run 9, deploy)",
        action="deploying 2.0.0",
        version="2.0.0",
        now=NOW,
        seconds=1260,
    )
    assert document["apiVersion"] == "coordination.k8s.io/v1"
    assert document["kind"] == "Lease"
    assert document["metadata"]["namespace"] == "shop"
    assert "resourceVersion" not in document["metadata"]  # a create
    assert document["spec"] == {
        "holderIdentity": "ana@laptop pid 100",
        "acquireTime": "2026-11-23T04:00:00.000000Z",
        "renewTime": "2026-11-23T04:00:00.000000Z",
        "leaseDurationSeconds": 1260,
    }
    assert document["metadata"]["annotations"] == {
        "shipway.dev/action": "deploying 2.0.0",
        "shipway.dev/who": "github:ana (run 9, deploy)",
        "shipway.dev/version": "2.0.0",
    }
    guarded = leases.held_object(
        "l",
        "shop",
        ME,
        who="x",
        action="a",
        version=None,
        now=NOW,
        seconds=1,
        resource_version="41",
    )
    assert guarded["metadata"]["resourceVersion"] == "41"
    assert "shipway.dev/version" not in guarded["metadata"]["annotations"]


def test_parsing_reads_back_what_was_written() -> None:
    read = lease_of(BOB)
    assert (read.holder, read.resource_version, read.duration) == ("bob@ci-runner pid 7", "41", 60)
    assert read.acquired == NOW
    assert read.expires == NOW + timedelta(seconds=60)
    assert read.action == "deploying 2.0.0"
    assert "bob@ci-runner pid 7" in read.describe()
    assert "deploying 2.0.0" in read.describe()
    assert Holder.parse(read.holder) == BOB
    assert Holder.parse("somebody") is None
    assert leases.parse({}).holder is None


def test_absent_free_ours_held_stale() -> None:
    assert leases.state(None, ME, NOW) is LeaseState.ABSENT
    assert leases.state(lease_of(None), ME, NOW) is LeaseState.FREE
    assert leases.state(lease_of(ME), ME, NOW) is LeaseState.OURS
    assert leases.state(lease_of(BOB), ME, NOW + timedelta(seconds=59)) is LeaseState.HELD
    assert leases.state(lease_of(BOB), ME, NOW + timedelta(seconds=60)) is LeaseState.STALE
    no_times = leases.parse({"metadata": {"name": "l"}, "spec": {"holderIdentity": "x@y pid 1"}})
    assert leases.state(no_times, ME, NOW) is LeaseState.STALE


def test_a_dead_holder_on_this_host_is_stale_at_once_one_elsewhere_is_not() -> None:
    same_host = Holder("ana", "laptop", 99)
    assert leases.state(lease_of(same_host), ME, NOW, holder_alive=False) is LeaseState.STALE
    assert leases.state(lease_of(same_host), ME, NOW, holder_alive=True) is LeaseState.HELD
    assert leases.state(lease_of(same_host), ME, NOW, holder_alive=None) is LeaseState.HELD
    assert leases.state(lease_of(BOB), ME, NOW, holder_alive=False) is LeaseState.HELD


def test_release_replaces_exactly_the_lease_read_with_no_holder() -> None:
    released = leases.released_object(lease_of(ME), "shop", NOW)
    assert released["metadata"]["resourceVersion"] == "41"
    assert "holderIdentity" not in released["spec"]
    assert leases.state(leases.parse(released), BOB, NOW) is LeaseState.FREE


def test_what_a_create_or_replace_did() -> None:
    assert leases.written(0, "") is Write.DONE
    exists = 'Error from server (AlreadyExists): leases.coordination.k8s.io "l" already exists'
    assert leases.written(1, exists) is Write.RACED
    conflict = (
        "Error from server (Conflict): Operation cannot be fulfilled on leases.coordination.k8s.io "
        '"l": the object has been modified; please apply your changes to the latest version'
    )
    assert leases.written(1, conflict) is Write.RACED
    forbidden = "Error from server (Forbidden): leases.coordination.k8s.io is forbidden"
    assert leases.written(1, forbidden) is Write.FAILED


def test_a_lock_outlives_the_longest_wait_of_its_command() -> None:
    assert leases.duration(960) == 1260
    assert (
        leases.micro_time(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
        == "2026-01-02T03:04:05.000006Z"
    )
    assert leases.parse_time("2026-01-02T03:04:05.000006Z") == datetime(
        2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC
    )
    assert leases.parse_time("garbage") is None
