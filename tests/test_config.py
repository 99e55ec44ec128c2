"""Configuration: every option is a setting and back, archiver.toml, --urls-file, precedence."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.settings import SETTINGS_PRIORITIES

import archiver.settings as project_settings
from archiver import config
from archiver.cli import build_parser, crawl_settings
from archiver.config import NO_OPTION, OPTION_SETTINGS, ConfigError, read_urls_file
from archiver.demo.server import serve_site
from tests.conftest import ROOT, read_jsonl

URL = "http://127.0.0.1:9/"
# option -> (command-line arguments, the settings they must give)
CASES: dict[str, tuple[list[str], dict[str, object]]] = {
    "output": (["--output", "x"], {"ARCHIVER_OUTPUT_DIR": "x"}),
    "since": (["--since", "2019-01"], {"ARCHIVER_SINCE": "2019-01"}),
    "until": (["--until", "2019-02"], {"ARCHIVER_UNTIL": "2019-02"}),
    "max_posts": (["--max-posts", "5"], {"ARCHIVER_MAX_POSTS": 5}),
    "no_sitemaps": (["--no-sitemaps"], {"ARCHIVER_USE_SITEMAPS": False}),
    "no_probe_pages": (["--no-probe-pages"], {"ARCHIVER_PROBE_POST_PAGES": False}),
    "no_warc": (["--no-warc"], {"WARC_ENABLED": False}),
    "wacz": (["--wacz"], {"WARC_WACZ": True}),
    "max_listing_pages": (["--max-listing-pages", "7"], {"ARCHIVER_MAX_LISTING_PAGES": 7}),
    "max_crawl_delay": (["--max-crawl-delay", "3"], {"ARCHIVER_MAX_CRAWL_DELAY": 3.0}),
    "extract_workers": (["--extract-workers", "2"], {"ARCHIVER_EXTRACT_WORKERS": 2}),
    "warc_prefix": (["--warc-prefix", "p"], {"WARC_PREFIX": "p"}),
    "warc_max_size": (["--warc-max-size", "2M"], {"WARC_MAX_SIZE": 2 * 1024 * 1024}),
    "progress": (["--progress", "log"], {"ARCHIVER_PROGRESS": "log"}),
    "progress_interval": (["--progress-interval", "2"], {"ARCHIVER_PROGRESS_INTERVAL": 2.0}),
    "quiet": (
        ["--quiet"],
        {"ARCHIVER_CONSOLE_LEVEL": "ERROR", "ARCHIVER_PROGRESS": "off", "ARCHIVER_SUMMARY": False},
    ),
    "verbose": (["-v"], {"ARCHIVER_CONSOLE_LEVEL": "INFO"}),
    "log_level": (["--log-level", "DEBUG"], {"LOG_LEVEL": "DEBUG"}),
    "log_file": (["--log-file", "f.log"], {"LOG_FILE": "f.log"}),
    "no_report": (["--no-report"], {"ARCHIVER_REPORT": False}),
    "replay_url": (["--replay-url", "http://r/c/"], {"ARCHIVER_REPLAY_URL": "http://r/c/"}),
}
NOT_SETTINGS = {"urls", "urls_file", "config", "settings", "help", "command"}
"""Options that name what to crawl or carry settings themselves."""


def settings_for(*argv: str, cwd: Path | None = None) -> object:
    parser = build_parser()
    args = parser.parse_args(["crawl", *argv])
    args = config.apply_config(parser, ["crawl", *argv], args)
    return crawl_settings(args)


@pytest.mark.parametrize("dest", sorted(CASES))
def test_each_option_is_a_setting(dest: str) -> None:
    argv, expected = CASES[dest]
    settings = settings_for(URL, *argv)
    for name, value in expected.items():
        assert settings.get(name) == value, name  # type: ignore[attr-defined]
        assert settings.getpriority(name) == SETTINGS_PRIORITIES["cmdline"]  # type: ignore[attr-defined]
        # ... and the setting does the same as the option: -s NAME=VALUE reaches it too.
        again = settings_for(URL, "-s", f"{name}={value}")
        assert str(again.get(name)) == str(value)  # type: ignore[attr-defined]


def sample_argv(action: argparse.Action) -> list[str]:
    """The option with a value its type accepts."""
    flag = max(action.option_strings, key=len)
    if action.nargs == 0:
        return [flag]
    if action.choices:
        return [flag, str(list(action.choices)[-1])]
    for value in ("3", "2M", "2019-01", "http://x.example/", "x"):
        try:
            if callable(action.type):
                action.type(value)
        except (argparse.ArgumentTypeError, ValueError):
            continue
        return [flag, value]
    raise AssertionError(f"no sample value for {flag}")


def test_every_option_sets_its_settings() -> None:
    """Generic, for options added later too: each sets every setting it is listed with."""
    assert set(CASES) <= set(OPTION_SETTINGS)
    crawl = next(a for a in build_parser()._actions if a.dest == "command").choices["crawl"]
    for action in crawl._actions:
        if action.dest in NOT_SETTINGS:
            continue
        argv = CASES[action.dest][0] if action.dest in CASES else sample_argv(action)
        settings = settings_for(URL, *argv)
        for name in OPTION_SETTINGS[action.dest]:
            priority = settings.getpriority(name)  # type: ignore[attr-defined]
            assert priority == SETTINGS_PRIORITIES["cmdline"], (action.dest, name)


def test_options_and_settings_cover_each_other() -> None:
    crawl = next(a for a in build_parser()._actions if a.dest == "command").choices["crawl"]
    dests = {a.dest for a in crawl._actions} - NOT_SETTINGS
    assert dests == set(OPTION_SETTINGS), "every crawl option is listed with its settings"
    ours = {n for n in dir(project_settings) if n.startswith(("ARCHIVER_", "WARC_"))}
    covered = {s for names in OPTION_SETTINGS.values() for s in names} | set(NO_OPTION)
    assert ours - covered == set(), "every ARCHIVER_*/WARC_* setting has an option"


def test_unset_options_leave_settings_alone() -> None:
    settings = settings_for(URL, "-s", "ARCHIVER_MAX_POSTS=9", "-s", "ARCHIVER_USE_SITEMAPS=False")
    assert settings.getint("ARCHIVER_MAX_POSTS") == 9  # type: ignore[attr-defined]
    assert settings.getbool("ARCHIVER_USE_SITEMAPS") is False  # type: ignore[attr-defined]
    defaults = settings_for(URL)
    assert defaults.get("ARCHIVER_OUTPUT_DIR") == "output"  # type: ignore[attr-defined]
    assert defaults.getpriority("ARCHIVER_MAX_POSTS") == SETTINGS_PRIORITIES["project"]  # type: ignore[attr-defined]


def test_precedence_defaults_config_options_then_s(tmp_path: Path) -> None:
    toml = tmp_path / "archiver.toml"
    toml.write_text(
        'blogs = ["https://a.example/", "https://b.example/2019/07/"]\n'
        'output = "archive"\nsince = "2019-01"\nmax-posts = 4\nno-sitemaps = true\n'
        "[settings]\nDOWNLOAD_DELAY = 2.5\nROBOTSTXT_OBEY = false\n",
        "utf-8",
    )
    s = settings_for("--config", str(toml))
    assert s.get("ARCHIVER_OUTPUT_DIR") == str(tmp_path / "archive"), "relative to the file"  # type: ignore[attr-defined]
    assert s.get("ARCHIVER_SINCE") == "2019-01"  # type: ignore[attr-defined]
    assert s.getint("ARCHIVER_MAX_POSTS") == 4  # type: ignore[attr-defined]
    assert s.getbool("ARCHIVER_USE_SITEMAPS") is False  # type: ignore[attr-defined]
    assert s.getfloat("DOWNLOAD_DELAY") == 2.5  # type: ignore[attr-defined]
    assert s.getbool("ROBOTSTXT_OBEY") is False  # type: ignore[attr-defined]
    s = settings_for("--config", str(toml), "--max-posts", "6", "-s", "DOWNLOAD_DELAY=1")
    assert s.getint("ARCHIVER_MAX_POSTS") == 6, "the command line beats the file"  # type: ignore[attr-defined]
    assert s.getfloat("DOWNLOAD_DELAY") == 1.0  # type: ignore[attr-defined]
    s = settings_for("--config", str(toml), "--max-posts", "6", "-s", "ARCHIVER_MAX_POSTS=8")
    assert s.getint("ARCHIVER_MAX_POSTS") == 8, "-s beats everything"  # type: ignore[attr-defined]

    parser = build_parser()
    argv = ["crawl", "https://c.example/", "--config", str(toml)]
    args = config.apply_config(parser, argv, parser.parse_args(argv))
    assert config.blog_urls(args) == [
        "https://c.example/",
        "https://a.example/",
        "https://b.example/2019/07/",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("blogs = 'https://a.example/'", "blogs must be a list"),
        ("blogs = ['a.example']", "is not an http(s) URL"),
        ("max_post = 3", "unknown option 'max_post' (did you mean max-posts?)"),
        ("since = '2019'", "since = '2019': expected YYYY-MM"),
        ("no-sitemaps = 'yes'", "no-sitemaps must be true or false"),
        ("progress = 'fancy'", "progress must be one of"),
        ("output = [1]", "output must be a single value"),
        ("blogs = [", "is not valid TOML"),
    ],
)
def test_bad_config_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    toml = tmp_path / "archiver.toml"
    toml.write_text(text + "\n", "utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        settings_for("--config", str(toml))
    assert str(toml) in str(err.value)
    assert err.value.code == 2


def test_urls_file(tmp_path: Path) -> None:
    listing = tmp_path / "blogs.txt"
    listing.write_text(
        "# my blogs\n\nhttps://a.example/\n  https://b.example/2019/07/  # July only\n"
        "https://a.example/\nhttps://c.example/#top\n",
        "utf-8",
    )
    assert read_urls_file(listing) == [
        "https://a.example/",
        "https://b.example/2019/07/",
        "https://a.example/",
        "https://c.example/#top",
    ]
    parser = build_parser()
    args = parser.parse_args(["crawl", "--urls-file", str(listing)])
    args = config.apply_config(parser, None, args)
    assert len(config.blog_urls(args)) == 3, "each blog once"
    listing.write_text("https://a.example/\nftp://b.example/\n", "utf-8")
    with pytest.raises(
        ConfigError, match=r"blogs.txt:2: 'ftp://b.example/' is not an http\(s\) URL"
    ):
        read_urls_file(listing)
    listing.write_text("# nothing\n", "utf-8")
    with pytest.raises(ConfigError, match="lists no URL"):
        read_urls_file(listing)


@pytest.fixture(scope="module")
def two_blogs() -> Iterator[tuple[str, str]]:
    with serve_site() as one, serve_site(host="127.0.0.2") as two:
        yield one.url, two.url


def run_in(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env_path = str(ROOT)
    return subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {env_path!r}); "
         "from archiver.cli import main; sys.exit(main())", *args],
        capture_output=True, text=True, timeout=180, cwd=cwd,
    )  # fmt: skip


def test_scheduled_crawl_from_archiver_toml_in_the_current_folder(
    tmp_path: Path, two_blogs: tuple[str, str]
) -> None:
    home, other = two_blogs
    (tmp_path / "archiver.toml").write_text(
        f'blogs = ["{home}", "{other}2019/07/"]\noutput = "archive"\nquiet = true\n'
        "[settings]\nDOWNLOAD_DELAY = 0\nAUTOTHROTTLE_ENABLED = false\n",
        "utf-8",
    )
    proc = run_in(tmp_path, "crawl")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "", "quiet = true, as for cron"
    assert proc.stderr == ""
    assert len(read_jsonl(tmp_path / "archive" / "127.0.0.1" / "posts.jsonl")) == 10
    july = read_jsonl(tmp_path / "archive" / "127.0.0.2" / "posts.jsonl")
    assert {p["archive"]["month"] for p in july} == {"2019-07"}
    assert len(july) == 4


def test_crawl_from_a_urls_file(tmp_path: Path, two_blogs: tuple[str, str]) -> None:
    _, other = two_blogs
    listing = tmp_path / "blogs.txt"
    listing.write_text(f"# one month of one blog\n{other}2019/06/\n", "utf-8")
    proc = run_in(
        tmp_path, "crawl", "--urls-file", str(listing), "-o", "out", "-s", "DOWNLOAD_DELAY=0"
    )
    assert proc.returncode == 0, proc.stderr
    june = read_jsonl(tmp_path / "out" / "127.0.0.2" / "posts.jsonl")
    assert {p["archive"]["month"] for p in june} == {"2019-06"}
    assert "Archived http://127.0.0.2:" in proc.stdout
