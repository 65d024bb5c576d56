"""Append markdown to the CI job's step summary, when there is one (GitHub Actions)."""

import os
from collections.abc import Mapping
from pathlib import Path


def append_step_summary(markdown: str, environ: Mapping[str, str] = os.environ) -> None:
    if summary_file := environ.get("GITHUB_STEP_SUMMARY"):
        with Path(summary_file).open("a", encoding="utf-8") as summary:
            summary.write(markdown)
