"""Keep secrets out of every output: mask known values, and never pass on source excerpts.

Scanners quote source: bandit's issue texts and code, trivy's code lines, SARIF snippets. A
secret that one scanner masks, another prints. So reports lose their excerpts (a location is
enough to act on), and every text shipway writes has the recovered secret values masked.
"""

from collections.abc import Collection

MASK = "****"
# Keys under which scanners put source text: bandit ("code", "issue_text" quotes values),
# trivy ("Code", "Match"), SARIF ("snippet", "contextRegion").
SOURCE_KEYS = frozenset({"code", "issue_text", "Code", "Match", "snippet", "contextRegion"})


def redact(text: str, secrets: Collection[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):  # longest first: no partial leftovers
        text = text.replace(secret, MASK)
    return text


def without_source(document: object) -> object:
    """A copy of a JSON document with every source excerpt removed, at any depth."""
    return without_keys(document, SOURCE_KEYS)


def without_keys(document: object, keys: Collection[str]) -> object:
    """A copy of a JSON document without the entries under ``keys``, at any depth."""
    if isinstance(document, dict):
        return {k: without_keys(v, keys) for k, v in document.items() if k not in keys}
    if isinstance(document, list):
        return [without_keys(item, keys) for item in document]
    return document


def redact_document(document: object, secrets: Collection[str]) -> object:
    """A copy of a JSON document with the secret values masked in every string, at any depth
    (its keys, numbers and structure unchanged)."""
    if isinstance(document, str):
        return redact(document, secrets)
    if isinstance(document, dict):
        return {k: redact_document(v, secrets) for k, v in document.items()}
    if isinstance(document, list):
        return [redact_document(item, secrets) for item in document]
    return document
