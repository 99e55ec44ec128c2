"""Where a crawl's options come from: the command line, ``archiver.toml``, ``--urls-file``.

Every ``archiver crawl`` option is also a Scrapy setting (``OPTION_SETTINGS``), and every
``ARCHIVER_*``/``WARC_*`` setting has an option. Precedence, lowest first: the defaults in
``archiver/settings.py``, ``archiver.toml``, the command-line options, then ``-s NAME=VALUE``.

``archiver.toml`` (read with ``--config FILE``, or from the current folder when ``archiver crawl``
is given no URL at all) lists the blogs of a scheduled crawl and its options::

    blogs = ["https://example.org/", "https://example.net/2019/07/"]
    output = "archive"            # any `archiver crawl` option, by its long name
    since = "2019-01"
    [settings]                    # any Scrapy or archiver setting, as with -s
    DOWNLOAD_DELAY = 1.0

Relative paths in it (``output``, ``log-file``, ``urls-file``) are relative to the file's folder.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.console import LEVELS, UserError

CONFIG_NAME = "archiver.toml"
URL = re.compile(r"^https?://[^/\s]+", re.I)
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.I)
COMMENT = re.compile(r"(^|\s)#.*$")
"""A ``#`` comment: a whole line, or after a space (a URL's own ``#fragment`` stays)."""
PATH_OPTIONS = {"output", "log_file", "urls_file"}

OPTION_SETTINGS: dict[str, tuple[str, ...]] = {
    "output": ("ARCHIVER_OUTPUT_DIR",),
    "since": ("ARCHIVER_SINCE",),
    "until": ("ARCHIVER_UNTIL",),
    "max_posts": ("ARCHIVER_MAX_POSTS",),
    "no_sitemaps": ("ARCHIVER_USE_SITEMAPS",),
    "no_probe_pages": ("ARCHIVER_PROBE_POST_PAGES",),
    "no_warc": ("WARC_ENABLED",),
    "wacz": ("WARC_WACZ",),
    "max_listing_pages": ("ARCHIVER_MAX_LISTING_PAGES",),
    "max_crawl_delay": ("ARCHIVER_MAX_CRAWL_DELAY",),
    "extract_workers": ("ARCHIVER_EXTRACT_WORKERS",),
    "warc_prefix": ("WARC_PREFIX",),
    "warc_max_size": ("WARC_MAX_SIZE",),
    "progress": ("ARCHIVER_PROGRESS",),
    "progress_interval": ("ARCHIVER_PROGRESS_INTERVAL",),
    "quiet": ("ARCHIVER_CONSOLE_LEVEL", "ARCHIVER_PROGRESS", "ARCHIVER_SUMMARY"),
    "verbose": ("ARCHIVER_CONSOLE_LEVEL",),
    "log_level": ("LOG_LEVEL",),
    "log_file": ("LOG_FILE",),
    "no_report": ("ARCHIVER_REPORT",),
    "replay_url": ("ARCHIVER_REPLAY_URL",),
    "full": ("ARCHIVER_FULL",),
    "refresh_after": ("ARCHIVER_REFRESH_AFTER_DAYS",),
    "recent_months": ("ARCHIVER_RECENT_MONTHS",),
    "redis": ("ARCHIVER_REDIS_URL",),
    "worker_id": ("ARCHIVER_WORKER_ID",),
    "idle_timeout": ("ARCHIVER_REDIS_IDLE_TIMEOUT",),
    "seed_only": ("ARCHIVER_REDIS_SEED_ONLY",),
}
"""Option (argparse dest) -> the settings it sets; the README's option table is made from it."""


class ConfigError(UserError):
    """A bad option, URL, ``--urls-file`` or ``archiver.toml``: exit status 2."""

    def __init__(self, message: str):
        super().__init__(message, code=2)


NO_OPTION: dict[str, str] = {
    "ARCHIVER_EXTRACT_WORKERS": "tuning only: `-s ARCHIVER_EXTRACT_WORKERS=N` (0: in the crawl's process)",
    "ARCHIVER_REDIS_KEY": "`-s ARCHIVER_REDIS_KEY=NAME`: several shared crawls in one Redis database",
    "ARCHIVER_REDIS_LEASE_TIMEOUT": "tuning only: how soon a dead worker's requests are redone",
    "ARCHIVER_REDIS_POLL_INTERVAL": "tuning only",
}
"""``ARCHIVER_*``/``WARC_*`` settings deliberately without an option, with the reason."""


def parse_size(value: str) -> int:
    """A byte size: ``1073741824``, ``500M``, ``1G``, ``1.5GiB``.

    >>> parse_size("500M"), parse_size("1GiB"), parse_size("2048")
    (524288000, 1073741824, 2048)
    """
    match = SIZE.match(str(value))
    if not match:
        raise argparse.ArgumentTypeError(f"expected a size such as 500M or 1G, got {value!r}")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * 1024 ** " kmgt".index(unit or " "))


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {value!r}")
    return number


def _workers(value: str) -> str | int:
    if value.strip().lower() == "auto":
        return "auto"
    if not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of processes or auto, got {value!r}")
    return int(value)


def parse_setting(value: str) -> tuple[str, str]:
    """``NAME=VALUE`` of a ``-s`` option, as Scrapy's own command line takes it."""
    name, sep, val = value.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name, val


def add_setting_option(parser: argparse.ArgumentParser) -> None:
    """``-s/--set NAME=VALUE``, repeatable: any Scrapy or archiver setting."""
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        type=parse_setting,
        default=[],
        metavar="NAME=VALUE",
        help="any Scrapy or archiver setting",
    )


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """Options of ``crawl`` and ``demo`` about what is shown and written besides the posts."""
    group = parser.add_argument_group("progress, logs and reports")
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=None,
        help="show only errors: no progress, no summary (for cron)",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=None,
        help="show Scrapy's log (INFO) and the tracebacks of errors",
    )
    group.add_argument(
        "--log-file",
        type=Path,
        metavar="FILE",
        help="append the whole log (LOG_LEVEL, default INFO) to FILE",
    )
    group.add_argument(
        "--progress",
        choices=("auto", "live", "log", "off"),
        help="live display, periodic log lines, or none (default auto: live on a terminal)",
    )
    group.add_argument(
        "--progress-interval",
        type=_positive_float,
        metavar="SECONDS",
        help="seconds between two progress log lines (default 15)",
    )
    group.add_argument(
        "--no-report", action="store_true", default=None, help="do not write report.html"
    )
    group.add_argument(
        "--replay-url",
        metavar="URL",
        help="link posts in report.html to their replay: a pywb collection URL such as "
        "http://localhost:8080/my-coll/, or a template with {timestamp} and {url}",
    )
    warc = parser.add_argument_group("crawl and WARC")
    warc.add_argument(
        "--no-probe-pages",
        action="store_true",
        default=None,
        help="do not ask for <permalink>2/ of block-theme posts",
    )
    warc.add_argument(
        "--max-listing-pages",
        type=int,
        metavar="N",
        help="fetch at most N listing pages (home, months, their pagination; default 5000)",
    )
    warc.add_argument(
        "--max-crawl-delay",
        type=_positive_float,
        metavar="SECONDS",
        help="obey robots.txt Crawl-delay up to this many seconds (default 60)",
    )
    warc.add_argument(
        "--extract-workers",
        type=_workers,
        metavar="N",
        help="processes extracting posts: a number, 0 for none, or auto (one per CPU; default)",
    )
    warc.add_argument("--warc-prefix", metavar="NAME", help="first part of the WARC file names")
    warc.add_argument(
        "--warc-max-size",
        type=parse_size,
        metavar="SIZE",
        help="start a new WARC file past this size (e.g. 500M; default 1G)",
    )


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """``crawl`` options naming the blogs: ``--urls-file`` and ``--config``."""
    parser.add_argument(
        "--urls-file",
        type=Path,
        metavar="FILE",
        help="crawl the blogs listed in FILE, one URL per line ('#' comments; '-' for stdin)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"read blogs and options from FILE (default: ./{CONFIG_NAME} when no URL is given)",
    )


def option_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings of the options added here that were given (on the command line or in the config)."""
    given = {dest: getattr(args, dest, None) for dest in OPTION_SETTINGS}
    settings: dict[str, Any] = {}
    if given["no_probe_pages"]:
        settings["ARCHIVER_PROBE_POST_PAGES"] = False
    if given["max_listing_pages"] is not None:
        settings["ARCHIVER_MAX_LISTING_PAGES"] = given["max_listing_pages"]
    if given["max_crawl_delay"] is not None:
        settings["ARCHIVER_MAX_CRAWL_DELAY"] = given["max_crawl_delay"]
    if given["extract_workers"] is not None:
        settings["ARCHIVER_EXTRACT_WORKERS"] = given["extract_workers"]
    if given["warc_prefix"] is not None:
        settings["WARC_PREFIX"] = given["warc_prefix"]
    if given["warc_max_size"] is not None:
        settings["WARC_MAX_SIZE"] = given["warc_max_size"]
    if given["progress"] is not None:
        settings["ARCHIVER_PROGRESS"] = given["progress"]
    if given["progress_interval"] is not None:
        settings["ARCHIVER_PROGRESS_INTERVAL"] = given["progress_interval"]
    if given["verbose"]:
        settings["ARCHIVER_CONSOLE_LEVEL"] = "INFO"
    if given["quiet"]:
        settings.update(
            ARCHIVER_CONSOLE_LEVEL="ERROR", ARCHIVER_PROGRESS="off", ARCHIVER_SUMMARY=False
        )
    if given["log_file"] is not None:
        settings["LOG_FILE"] = str(given["log_file"])
    if given["no_report"]:
        settings["ARCHIVER_REPORT"] = False
    if given["replay_url"] is not None:
        settings["ARCHIVER_REPLAY_URL"] = given["replay_url"]
    if given["full"]:
        settings["ARCHIVER_FULL"] = True
    if given["refresh_after"] is not None:
        settings["ARCHIVER_REFRESH_AFTER_DAYS"] = given["refresh_after"]
    if given["recent_months"] is not None:
        settings["ARCHIVER_RECENT_MONTHS"] = given["recent_months"]
    if given["redis"] is not None:
        settings["ARCHIVER_REDIS_URL"] = given["redis"]
    if given["worker_id"] is not None:
        settings["ARCHIVER_WORKER_ID"] = given["worker_id"]
    if given["idle_timeout"] is not None:
        settings["ARCHIVER_REDIS_IDLE_TIMEOUT"] = given["idle_timeout"]
    if given["seed_only"]:
        settings["ARCHIVER_REDIS_SEED_ONLY"] = True
    return settings


def check_settings(settings: Any, given: Sequence[tuple[str, str]]) -> list[str]:
    """Raise UserError for a ``-s`` value of the wrong type; return warnings for unknown names."""
    from scrapy.settings import Settings

    from archiver.progress import resolve_mode

    known = Settings()
    known.setmodule("archiver.settings", priority="project")
    names = {name for name, _ in known.items()}
    warnings = []
    for name, value in given:
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            warnings.append(f"-s {name}: not a Scrapy or archiver setting{hint}")
            continue
        default = known.get(name)
        try:
            if isinstance(default, bool):
                settings.getbool(name)
            elif isinstance(default, int):
                settings.getint(name)
            elif isinstance(default, float):
                settings.getfloat(name)
        except ValueError:
            kind = "true or false" if isinstance(default, bool) else "a number"
            raise ConfigError(
                f"-s {name}={value}: expected {kind}, e.g. -s {name}={default} (the default)"
            ) from None
    try:
        resolve_mode(settings.get("ARCHIVER_PROGRESS", "auto"))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    level = str(settings.get("ARCHIVER_CONSOLE_LEVEL") or "WARNING").upper()
    for name, lvl in (("ARCHIVER_CONSOLE_LEVEL", level), ("LOG_LEVEL", settings.get("LOG_LEVEL"))):
        if str(lvl).upper() not in LEVELS:
            raise ConfigError(f"{name}={lvl}: use one of {', '.join(LEVELS)}")
    return warnings


def check_url(url: str, where: str = "") -> str:
    """``url`` stripped, or a UserError saying what a blog URL looks like."""
    url = url.strip()
    if not URL.match(url):
        prefix = f"{where}: " if where else ""
        raise ConfigError(
            f"{prefix}{url!r} is not an http(s) URL: give a blog's home page or monthly archive, "
            "e.g. https://example.org/ or https://example.org/2019/07/"
        )
    return url


def read_urls_file(path: Path) -> list[str]:
    """The URLs listed in a file, one per line; blank lines and ``#`` comments are skipped."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read --urls-file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"--urls-file {path} is not UTF-8 text: one URL per line") from None
    urls = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = COMMENT.sub("", line).strip()
        if line:
            urls.append(check_url(line, f"{path}:{lineno}"))
    if not urls:
        raise ConfigError(f"--urls-file {path} lists no URL: write one blog URL per line")
    return urls


@dataclass
class Config:
    """``archiver.toml``, read: the blogs, option defaults by argparse dest, extra ``-s`` settings."""

    path: Path
    blogs: list[str]
    options: dict[str, Any]
    settings: list[tuple[str, str]]


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:  # argparse keeps sub-commands in a private action class
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]
    raise KeyError(name)


def load_config(path: Path, crawl: argparse.ArgumentParser) -> Config:
    """Read ``archiver.toml``; every problem is a UserError naming the file and the key."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None

    by_name = {
        opt.lstrip("-"): action
        for action in crawl._actions
        for opt in action.option_strings
        if opt.startswith("--")
    }
    blogs_value = data.pop("blogs", [])
    if isinstance(blogs_value, str) or not isinstance(blogs_value, list):
        raise ConfigError(
            f'{path}: blogs must be a list of URLs, e.g. blogs = ["https://example.org/"]'
        )
    blogs = [check_url(str(u), f"{path}: blogs") for u in blogs_value]
    raw_settings = data.pop("settings", {})
    if not isinstance(raw_settings, dict):
        raise ConfigError(f"{path}: [settings] must be a table of NAME = value")
    settings = [(str(k), _setting_text(v)) for k, v in raw_settings.items()]

    options: dict[str, Any] = {}
    for key, value in data.items():
        action = by_name.get(key) or by_name.get(key.replace("_", "-"))
        if action is None or action.dest in ("help", "config", "settings"):
            close = difflib.get_close_matches(key, list(by_name), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ConfigError(f"{path}: unknown option {key!r}{hint}")
        options[action.dest] = _option_value(path, key, action, value)
    return Config(path=path, blogs=blogs, options=options, settings=settings)


def _setting_text(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value)
    return str(value)


def _option_value(path: Path, key: str, action: argparse.Action, value: Any) -> Any:
    if action.nargs == 0:  # a flag such as no-sitemaps = true
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: {key} must be true or false")
        return value or None
    if isinstance(value, (dict, list)):
        raise ConfigError(f"{path}: {key} must be a single value")
    text = str(value)
    try:
        result = action.type(text) if callable(action.type) else text
    except (argparse.ArgumentTypeError, ValueError) as exc:
        raise ConfigError(f"{path}: {key} = {value!r}: {exc}") from None
    if action.choices is not None and result not in action.choices:
        raise ConfigError(f"{path}: {key} must be one of {', '.join(map(str, action.choices))}")
    if action.dest in PATH_OPTIONS and not Path(result).is_absolute():
        result = path.parent / result
    return result


def apply_config(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, args: argparse.Namespace
) -> argparse.Namespace:
    """Re-read the crawl command line with ``archiver.toml`` as defaults, when there is one."""
    path = args.config
    if path is None and not args.urls and args.urls_file is None and Path(CONFIG_NAME).is_file():
        path = Path(CONFIG_NAME)
    if path is None:
        args.config_blogs = []
        return args
    crawl = _subparser(parser, "crawl")
    config = load_config(path, crawl)
    crawl.set_defaults(**config.options, settings=list(config.settings))
    args = parser.parse_args(argv)
    args.config, args.config_blogs = path, config.blogs
    return args


def blog_urls(args: argparse.Namespace) -> list[str]:
    """Every URL to crawl: the command line's, then ``--urls-file``'s, then the config's, once each."""
    urls = [check_url(u) for u in args.urls]
    if args.urls_file is not None:
        urls += read_urls_file(args.urls_file)
    urls += getattr(args, "config_blogs", [])
    if not urls:
        raise ConfigError(
            "no blog to crawl: give a URL (archiver crawl https://example.org/), "
            f"--urls-file FILE or --config FILE (or put an {CONFIG_NAME} here)"
        )
    return list(dict.fromkeys(urls))
