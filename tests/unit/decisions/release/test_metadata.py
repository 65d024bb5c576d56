import pytest

from shipway.decisions.release.metadata import metadata_path, parse_metadata
from shipway.errors import ShipwayError

METADATA = """\
Metadata-Version: 2.4
Name: fl_svc
Version: 2.1.0
Summary: A flit service.
Requires-Python: >=3.11
Requires-Dist: six==1.17.0

Long description.
"""


def test_name_version_and_python_requirement_come_from_the_metadata() -> None:
    metadata = parse_metadata(METADATA, "fl_svc.whl")
    assert (metadata.name, metadata.version, metadata.requires_python) == (
        "fl_svc",
        "2.1.0",
        ">=3.11",
    )
    without = parse_metadata(METADATA.replace("Requires-Python: >=3.11\n", ""), "w")
    assert without.requires_python is None


def test_metadata_without_a_version_is_refused() -> None:
    with pytest.raises(ShipwayError, match=r"w\.whl: its METADATA has no Name or no Version"):
        parse_metadata("Name: x\n", "w.whl")


def test_the_metadata_file_is_found_in_the_dist_info_directory() -> None:
    names = ["fl_svc/__init__.py", "fl_svc-2.1.0.dist-info/METADATA", "x/METADATA"]
    assert metadata_path(names) == "fl_svc-2.1.0.dist-info/METADATA"
    assert metadata_path(["fl_svc/__init__.py"]) is None
