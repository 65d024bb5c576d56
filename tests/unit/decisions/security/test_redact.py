from shipway.decisions.security.redact import MASK, redact, without_source


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
