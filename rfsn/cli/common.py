"""Options and helpers shared by the commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from rfsn.gate.policy import GatePolicy
from rfsn.observability import logging as rlog
from rfsn.sandbox import choose_kind
from rfsn.settings import Settings, config_file, load_settings


def sandbox_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--sandbox", type=click.Choice(["docker", "local"]), default=None,
        help="where code runs: docker (default), or local: on this host, unsandboxed",
    )(func)


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
    """Settings from flags, environment and rfsn.toml, the [gate] table included; logging
    configured from them. A command that runs code (it has ``--sandbox``) stops here, before
    anything runs, when Docker does not answer and the host was not asked for by name."""
    settings = load_settings(log_file=log_file, **overrides)
    GatePolicy.from_mapping(settings.gate, str(config_file()))
    rlog.configure(level=console_level(verbose, settings), json_file=settings.log_file)
    if "sandbox" in overrides:
        choose_kind(settings.sandbox)
    return settings


def console_level(verbose: bool, settings: Settings) -> str:
    """``-v`` shows progress events (info); otherwise RFSN_LOG_LEVEL decides."""
    return "info" if verbose else settings.log_level


#: a number of seconds: positive and finite (``--timeout -5`` is an input error, never an option
#: handed on to a command)
SECONDS = click.FloatRange(min=0.0, min_open=True, max=1e9)
