from datetime import UTC, datetime

import pytest

from shipway.decisions.deploy.tls import (
    SDS_NAME,
    TlsMaterial,
    certificate_problem,
    key_problem,
    loaded_secret,
    mismatch_problem,
    parse_dates,
    transport_socket,
    validity_problem,
)


def pem(kind: str, body: str = "TUlJQmZha2U=") -> str:
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


CERT, KEY = pem("CERTIFICATE"), pem("PRIVATE KEY", "a2V5Ynl0ZXM=")
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_a_certificate_is_a_pem_certificate_block() -> None:
    assert certificate_problem(CERT + pem("CERTIFICATE")) is None  # a chain


def test_a_certificate_that_is_not_pem_is_refused() -> None:
    assert certificate_problem("0\x82\x01") == "is not PEM (no -----BEGIN CERTIFICATE----- block)"


def test_a_certificate_file_must_start_with_the_certificate() -> None:
    assert certificate_problem(KEY + CERT) == (
        "starts with a PRIVATE KEY block, not the server's CERTIFICATE"
    )


@pytest.mark.parametrize("kind", ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"])
def test_a_key_is_a_pem_private_key_block(kind: str) -> None:
    assert key_problem(pem(kind)) is None


def test_a_key_that_is_not_pem_is_refused() -> None:
    assert key_problem("key") == "is not PEM (no -----BEGIN PRIVATE KEY----- block)"


def test_an_encrypted_key_is_refused() -> None:
    assert key_problem(pem("ENCRYPTED PRIVATE KEY")) == (
        "is an encrypted key: the router needs it unencrypted"
    )


def test_a_key_file_holding_only_a_certificate_is_refused() -> None:
    assert key_problem(CERT) == "holds no private key (PEM blocks: CERTIFICATE)"


def test_openssl_dates_are_read_in_utc() -> None:
    output = "notBefore=Jan  1 00:00:00 2026 GMT\nnotAfter=Dec 31 23:59:59 2026 GMT\n"
    assert parse_dates(output) == (
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
    )


def test_unexpected_openssl_output_is_an_error() -> None:
    with pytest.raises(ValueError, match="unexpected openssl output"):
        parse_dates("notAfter=soon")


def test_a_certificate_valid_now_passes() -> None:
    assert (
        validity_problem(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), NOW)
        is None
    )


def test_an_expired_certificate_is_refused() -> None:
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert validity_problem(start, end, NOW) == "expired on 2026-01-02 03:04:05 UTC"


def test_a_certificate_not_valid_yet_is_refused() -> None:
    start, end = datetime(2026, 7, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    assert validity_problem(start, end, NOW) == "is not valid yet (from 2026-07-01 00:00:00 UTC)"


def test_a_key_matches_a_certificate_with_the_same_public_key() -> None:
    public = pem("PUBLIC KEY", "cHVibGlj")
    assert mismatch_problem(public, public.replace("\n", "\r\n"), "'file:c.pem'") is None


def test_a_key_of_another_certificate_is_refused() -> None:
    assert mismatch_problem(
        pem("PUBLIC KEY", "YQ=="), pem("PUBLIC KEY", "Yg=="), "'file:c.pem'"
    ) == ("does not match the certificate 'file:c.pem' (their public keys differ)")


def test_the_key_is_never_in_the_materials_repr() -> None:
    assert "a2V5Ynl0ZXM=" not in repr(TlsMaterial(cert=CERT, key=KEY, trust=CERT))


def test_the_secret_file_holds_the_chain_and_key_under_a_version_of_its_content() -> None:
    document = TlsMaterial(cert=CERT, key=KEY, trust=CERT).secret_file()
    [secret] = document["resources"]
    assert secret["name"] == SDS_NAME
    certificate = secret["tls_certificate"]
    assert certificate["certificate_chain"] == {"inline_string": CERT}
    assert certificate["private_key"] == {"inline_string": KEY}
    rotated = TlsMaterial(cert=CERT, key=pem("PRIVATE KEY", "b3RoZXI="), trust=CERT)
    assert rotated.secret_file()["version_info"] != document["version_info"]


def test_the_listener_reads_its_certificate_from_the_secret_file() -> None:
    socket = transport_socket("/s/router/tls/secret.json")
    assert socket["name"] == "envoy.transport_sockets.tls"
    context = socket["typed_config"]["common_tls_context"]
    [sds] = context["tls_certificate_sds_secret_configs"]
    assert sds["name"] == SDS_NAME
    assert sds["sds_config"]["path_config_source"] == {"path": "/s/router/tls/secret.json"}


def test_the_loaded_secret_is_read_from_the_routers_stats() -> None:
    stats = {"stats": [{"name": f"sds.{SDS_NAME}.version_text", "value": "abc"}]}
    assert loaded_secret(stats) == "abc"
    assert loaded_secret({"stats": []}) is None
