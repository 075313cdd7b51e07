"""Options and helpers shared by the commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from rfsn.observability import logging as rlog
from rfsn.settings import Settings, load_settings


def sandbox_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--sandbox", type=click.Choice(["auto", "docker", "local"]), default=None,
        help="where code runs (default: auto = Docker when a daemon answers)",
    )(func)


def env_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--as-of and --python: the date and the Python of a plain Python repository's environment."""
    func = click.option("--python", "python", metavar="X.Y", default=None,
                        help="the Python of the environment (default: one the project declares "
                        "that existed at the --as-of date)")(func)
    return click.option("--as-of", "as_of", metavar="DATE|today|commit", default=None,
                        help="resolve the environment's packages, build tools and Python as of "
                        "this date (YYYY-MM-DD); default: the commit's date")(func)


def metrics_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--metrics-port", type=click.IntRange(0, 65535), default=None,
                        help="serve Prometheus /metrics on this port while the command runs")(func)
    return click.option("--metrics-addr", default="127.0.0.1", show_default=True,
                        help="address the metrics endpoint listens on")(func)


def model_options(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--model, --base-url, the caps (``scope``: what they cap, e.g. "in all") and --no-cache."""
    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed([
            click.option("--model", help="model of the openai/anthropic/hybrid planners"),
            click.option("--base-url",
                         help="model server base URL (OpenAI-compatible: http://host:port/v1)"),
            click.option("--max-cost", type=click.FloatRange(min=0, min_open=True),
                         help=f"USD the model calls may cost {scope}"),
            click.option("--max-tokens", type=click.IntRange(min=1),
                         help=f"model tokens (input plus output) {scope}"),
            click.option("--max-calls", type=click.IntRange(min=1), help=f"model calls {scope}"),
            click.option("--no-cache", is_flag=True, help="ask the model again even when the "
                         "response cache holds an answer"),
        ]):
            func = option(func)
        return func
    return apply


def verbosity_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("-v", "--verbose", is_flag=True, help="show progress events")(func)
    return click.option("--log-file", type=click.Path(path_type=Path), default=None,
                        help="also write every event as a JSON line to this file")(func)


def setup(verbose: bool = False, log_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from flags, environment and rfsn.toml; logging configured from them."""
    settings = load_settings(log_file=log_file, **overrides)
    rlog.configure(level=console_level(verbose, settings), json_file=settings.log_file)
    return settings


def console_level(verbose: bool, settings: Settings) -> str:
    """``-v`` shows progress events (info); otherwise RFSN_LOG_LEVEL decides."""
    return "info" if verbose else settings.log_level


#: a number of seconds: positive and finite (``--timeout -5`` is an input error, never an option
#: handed on to a command)
SECONDS = click.FloatRange(min=0.0, min_open=True, max=1e9)
