from shipway.decisions.security.redact import MASK, redact, redact_document, without_source


def test_redact_masks_every_occurrence_longest_first() -> None:
    text = "key=abcdef, again abcdef, part abc"
    assert redact(text, {"abc", "abcdef"}) == f"key={MASK}, again {MASK}, part {MASK}"
    assert redact("nothing", set()) == "nothing"


def test_without_source_drops_excerpts_at_any_depth() -> None:
    report = {
        "results": [
            {
                "code": "x = 'secret'",
                "issue_text": "pw 'secret'",
                "line": 1,
                "Code": {"Lines": []},
                "nested": [{"snippet": {"text": "s"}, "ok": 2}],
            }
        ]
    }
    assert without_source(report) == {"results": [{"line": 1, "nested": [{"ok": 2}]}]}


def test_redact_document_masks_strings_only_at_any_depth() -> None:
    document = {"reason": "token abc123", "n": 123, "windows": [{"note": "abc123"}, 7]}
    assert redact_document(document, ["abc123", "123"]) == {
        "reason": "token ****",
        "n": 123,
        "windows": [{"note": "****"}, 7],
    }
