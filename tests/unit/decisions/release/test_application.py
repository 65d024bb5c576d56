from shipway.decisions.release.application import archive_members, archive_name, excluded

TRACKED = [
    "manage.py",
    "Procfile",
    "shop/settings.py",
    "shop/tests.py",
    "shop/tests/test_views.py",
    "shop/views.py",
    "shop/views_test.py",
    "shop/__pycache__/views.cpython-312.pyc",
    "test/fixtures.json",
    "tests/conftest.py",
    "test_smoke.py",
    "contest.py",
    ".venv/bin/python",
    "docs/index.md",
    "README.md",
    "scripts/dev_reset.py",
    "scripts/migrate.py",
]


def test_tests_and_virtual_environments_are_always_left_out() -> None:
    assert archive_members(TRACKED, []) == [
        "Procfile",
        "README.md",
        "contest.py",
        "docs/index.md",
        "manage.py",
        "scripts/dev_reset.py",
        "scripts/migrate.py",
        "shop/settings.py",
        "shop/views.py",
    ]


def test_configured_globs_match_names_at_any_depth_or_paths_from_the_service() -> None:
    members = archive_members(TRACKED, ["*.md", "scripts/dev_*", "/docs"])
    assert members == [
        "Procfile",
        "contest.py",
        "manage.py",
        "scripts/migrate.py",
        "shop/settings.py",
        "shop/views.py",
    ]


def test_a_directory_glob_takes_everything_under_it() -> None:
    assert excluded("docs/api/index.md", ["docs/"])
    assert excluded("app/docs/index.md", ["docs"])
    assert not excluded("app/docs/index.md", ["/docs"])
    assert excluded("static/css/site.css", ["static/*"])
    assert not excluded("staticfiles.py", ["static"])


def test_the_archive_is_named_like_a_wheel() -> None:
    assert (
        archive_name("My.Shop-web", "1.0.1.dev2+gabc") == "my_shop_web-1.0.1.dev2+gabc.app.tar.gz"
    )
