import pytest
from pydantic import ValidationError

from shipway.config.dast import Dast


def test_a_configured_profile_changes_only_the_keys_it_names() -> None:
    dast = Dast.model_validate({"profiles": {"quick": {"max_examples": 5, "scan_time": "30s"}}})
    quick = dast.profiles["quick"]
    assert (quick.max_examples, quick.scan_time, quick.depth) == (5, 30, 3)
    assert dast.profiles["full"].max_examples == 200


@pytest.mark.parametrize(
    "table",
    [
        {"profiles": {"slow": {}}},
        {"auth": {"header": "Authorization", "value": "Bearer abc"}},
        {"auth": {"header": "Bad Header", "value": "env:TOKEN"}},
        {"openapi": "openapi.json"},
    ],
)
def test_invalid_tables_are_refused(table: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Dast.model_validate(table)


def test_a_credential_is_a_reference_and_the_schema_a_path_or_url() -> None:
    dast = Dast.model_validate(
        {"auth": {"header": "Authorization", "value": "env:TOKEN"}, "openapi": "/api/schema"}
    )
    assert dast.auth is not None
    assert dast.auth.value == "env:TOKEN"
