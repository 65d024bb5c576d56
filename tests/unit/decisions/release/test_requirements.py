import pytest

from shipway.decisions.release.requirements import (
    RequirementsSource,
    is_pinned,
    logical_lines,
    parse_requirements,
    requirements_source,
)
from shipway.errors import ShipwayError

HASHED = """\
# locked
--index-url https://pypi.org/simple
idna==3.10 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
six==1.17.0 ; python_version >= "3.8" --hash=sha256:cccc
"""


def test_a_lock_wins_over_any_requirements_file() -> None:
    assert requirements_source(True, "flask\n", "svc") is RequirementsSource.LOCK


def test_every_requirement_pinned_and_hashed_is_used_as_it_is() -> None:
    assert requirements_source(False, HASHED, "svc") is RequirementsSource.HASHED


def test_pinned_requirements_without_hashes_are_locked_at_build_time() -> None:
    text = "Django==5.1.3  # the framework\nidna[all]==3.10\nsix===1.17.0\n"
    assert requirements_source(False, text, "svc") is RequirementsSource.PINNED
    partly_hashed = HASHED + "iniconfig==2.0.0\n"
    assert requirements_source(False, partly_hashed, "svc") is RequirementsSource.PINNED


def test_unpinned_requirements_are_named_with_what_to_run() -> None:
    text = "Django==5.1.3\nrequests>=2\nflask\nidna==3.*\nlib @ https://example.com/lib.whl\n"
    with pytest.raises(ShipwayError) as caught:
        requirements_source(False, text, "svc")
    message = str(caught.value)
    assert message.startswith(
        "svc/requirements.txt cannot be locked (not pinned to one version with '==': "
        "requests>=2, flask, idna==3.*, lib @ https://example.com/lib.whl) and there is no uv.lock"
    )
    assert "`uv lock`" in message
    assert "`uv pip compile requirements.in -o requirements.txt --generate-hashes`" in message


def test_included_files_and_editables_are_refused() -> None:
    with pytest.raises(ShipwayError, match=r"'-r base.txt' is not supported here"):
        requirements_source(False, "-r base.txt\nsix==1.17.0\n", "svc")
    with pytest.raises(ShipwayError, match=r"'--editable=.' is not supported here"):
        requirements_source(False, "--editable=.\n", "svc")


def test_no_lock_and_no_requirements_file_says_what_to_run() -> None:
    with pytest.raises(
        ShipwayError, match=r"svc has no uv.lock and no requirements.txt: .*uv lock"
    ):
        requirements_source(False, None, "svc")


def test_lines_are_joined_and_comments_dropped() -> None:
    assert logical_lines("a==1 \\\n  --hash=sha256:x  # c\n\n# only a comment\nb==2#not\n") == [
        "a==1    --hash=sha256:x",
        "b==2#not",
    ]
    [idna, six] = parse_requirements(HASHED)
    assert (idna.text, idna.pinned, idna.hashed) == ("idna==3.10", True, True)
    assert (six.text, six.hashed) == ('six==1.17.0 ; python_version >= "3.8"', True)


@pytest.mark.parametrize(
    ("requirement", "pinned"),
    [
        ("a==1.0", True),
        ("a[x]==1.0; sys_platform == 'linux'", True),
        ("a===1.0-custom", True),
        ("a==1.*", False),
        ("a>=1,<2", False),
        ("a==1,!=1.1", False),
        ("a", False),
        ("not valid ==", False),
    ],
)
def test_pinned_means_exactly_one_version(requirement: str, pinned: bool) -> None:
    assert is_pinned(requirement) is pinned
