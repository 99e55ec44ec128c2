"""What the ``archiver`` command shows on the terminal: log handlers and one-line errors.

The terminal gets progress lines and log records at the console level (``WARNING`` unless
``--verbose``, ``--quiet`` or ``--log-level`` says otherwise), one line per record, tracebacks
only at ``INFO`` or below; ``--log-file`` gets the whole log at ``LOG_LEVEL`` (default ``INFO``).
Errors the user can fix are one ``error: ...`` line saying what is wrong and what to do.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any, NoReturn

PROGRESS_LOGGER = "archiver.progress"
DEFAULT_CONSOLE_LEVEL = "WARNING"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class UserError(Exception):
    """A problem the user can fix; its message is printed as one ``error:`` line.

    ``code`` is the exit status: 2 for a bad command line or configuration, 1 otherwise.
    """

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def error_line(message: str) -> None:
    """Print ``error: message`` on stderr."""
    print(f"error: {message}", file=sys.stderr, flush=True)


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad command line gives one line naming the problem and the help to read."""

    def error(self, message: str) -> NoReturn:
        error_line(f"{message} (see '{self.prog} --help')")
        raise SystemExit(2)


class ConsoleFilter(logging.Filter):
    """Lets through records at the console level, and progress lines unless they are off."""

    def __init__(self, level: int, progress: bool):
        super().__init__()
        self.level = level
        self.progress = progress

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= self.level:
            return True
        return self.progress and record.name == PROGRESS_LOGGER and record.levelno >= logging.INFO


class OneLineFormatter(logging.Formatter):
    """Scrapy's log format without tracebacks: those go to the log file (or show with --verbose)."""

    def format(self, record: logging.LogRecord) -> str:
        if not record.exc_info and not record.exc_text:
            return super().format(record)
        exc_info, exc_text = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            text = super().format(record)
        finally:
            record.exc_info, record.exc_text = exc_info, exc_text
        if exc_info and exc_info[1] is not None and str(exc_info[1]) not in text:
            text += f" ({type(exc_info[1]).__name__}: {exc_info[1]})"
        return text


def console_level(settings: Any) -> int:
    """The terminal's log level: ``ARCHIVER_CONSOLE_LEVEL``, else an explicit ``LOG_LEVEL``, else WARNING."""
    from scrapy.settings import SETTINGS_PRIORITIES

    name = settings.get("ARCHIVER_CONSOLE_LEVEL") or ""
    if not name and settings.getpriority("LOG_LEVEL") >= SETTINGS_PRIORITIES["cmdline"]:
        name = settings.get("LOG_LEVEL")
    return level_number(name or DEFAULT_CONSOLE_LEVEL)


def level_number(name: str | int) -> int:
    """``"INFO"`` -> 20; an unknown name is a UserError."""
    if isinstance(name, int):
        return name
    level = logging.getLevelName(str(name).strip().upper())
    if not isinstance(level, int):
        raise UserError(f"unknown log level {name!r}: use one of {', '.join(LEVELS)}")
    return level


def setup_logging(settings: Any, progress: bool) -> None:
    """Install the terminal handler (and the log file's) on the root logger, replacing Scrapy's.

    Called by the ``archiver`` command with ``LOG_INSTALL_ROOT_HANDLER`` off, after Scrapy's
    own ``configure_logging`` has routed Twisted and warnings into ``logging``.
    """
    fmt = settings.get("LOG_FORMAT")
    datefmt = settings.get("LOG_DATEFORMAT")
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_archiver", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.NOTSET)

    level = console_level(settings)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(min(level, logging.INFO) if progress else level)
    console.addFilter(ConsoleFilter(level, progress))
    formatter_cls = logging.Formatter if level <= logging.INFO else OneLineFormatter
    console.setFormatter(formatter_cls(fmt=fmt, datefmt=datefmt))
    console._archiver = True  # type: ignore[attr-defined]
    root.addHandler(console)

    log_file = settings.get("LOG_FILE")
    if log_file:
        mode = "a" if settings.getbool("LOG_FILE_APPEND", True) else "w"
        try:
            handler: logging.Handler = logging.FileHandler(
                log_file, mode=mode, encoding=settings.get("LOG_ENCODING") or "utf-8"
            )
        except OSError as exc:
            raise UserError(
                f"cannot write the log file {log_file}: {exc.strerror or exc}: "
                "choose another --log-file"
            ) from exc
        handler.setLevel(level_number(settings.get("LOG_LEVEL") or "INFO"))
        handler.setFormatter(logging.Formatter(fmt=fmt, datefmt=datefmt))
        handler._archiver = True  # type: ignore[attr-defined]
        root.addHandler(handler)

    from scrapy.utils.log import log_scrapy_info

    log_scrapy_info(settings)  # Scrapy logged it before these handlers existed
