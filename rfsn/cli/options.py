"""The option groups the commands share, each a click declaration and the pydantic fields it fills.

A command declares its options with click, and its body takes one ``Options`` model: ``gathered``
builds it from what click parsed, so a body reads ``args.timeout``, never 28 parameters.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import click
from pydantic import BaseModel, ConfigDict

from rfsn.errors import ConfigError

#: the flags that give a setting (``setup``'s overrides) when a command has them
SETTING_FLAGS = ("sandbox", "registry", "as_of", "python")
#: the flags only a planner that asks a model reads
MODEL_FLAGS = ("model", "base_url", "max_cost", "max_tokens", "max_calls", "no_cache", "replay")

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
OptionsT = TypeVar("OptionsT", bound="Options")


class Options(BaseModel):
    """A command's options as click parsed them (click checked each value already)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def overrides(self) -> dict[str, Any]:
        """The settings this command's flags give, given or not (``setup`` tells them apart)."""
        return self.model_dump(include=set(SETTING_FLAGS))


def gathered(model: type[OptionsT]) -> Callable[[Callable[[OptionsT], None]], Callable[..., None]]:
    """A command body that takes one ``model``, called with click's options gathered into it."""

    def wrap(body: Callable[[OptionsT], None]) -> Callable[..., None]:
        @functools.wraps(body)
        def command(**options: Any) -> None:
            body(model(**options))

        return command

    return wrap


def stacked(*options: Decorator) -> Decorator:
    """The options in the order they are listed (and shown by --help)."""

    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            func = option(func)
        return func

    return apply


registry_option = click.option(
    "--registry",
    metavar="HOST:PORT/PREFIX",
    default=None,
    help="share images through this registry: pull a missing base, env or setup image from "
    "it before building one, push what is built (RFSN_REGISTRY)",
)


class Sandboxed(Options):
    """--sandbox and --registry: where code runs, and where images are shared."""

    sandbox: Literal["docker", "local"] | None = None
    registry: str | None = None


sandbox_options = stacked(
    click.option(
        "--sandbox",
        type=click.Choice(["docker", "local"]),
        default=None,
        help="where code runs: docker (default), or local: on this host, unsandboxed",
    ),
    registry_option,
)


class Dated(Options):
    """--as-of and --python: the date and the Python of a plain Python repository's environment."""

    as_of: str | None = None
    python: str | None = None


env_options = stacked(
    click.option(
        "--as-of",
        "as_of",
        metavar="DATE|today|commit",
        default=None,
        help="resolve the environment's packages, build tools and Python as of "
        "this date (YYYY-MM-DD); default: the commit's date",
    ),
    click.option(
        "--python",
        "python",
        metavar="X.Y",
        default=None,
        help="the Python of the environment (default: one the project declares that existed at the --as-of date)",
    ),
)


class Served(Options):
    """--metrics-port and --metrics-addr: the Prometheus endpoint while the command runs."""

    metrics_port: int | None = None
    metrics_addr: str = "127.0.0.1"


metrics_options = stacked(
    click.option(
        "--metrics-addr", default="127.0.0.1", show_default=True, help="address the metrics endpoint listens on"
    ),
    click.option(
        "--metrics-port",
        type=click.IntRange(0, 65535),
        default=None,
        help="serve Prometheus /metrics on this port while the command runs",
    ),
)


class Logged(Options):
    """-v and --log-file: what the console shows, and the JSON log."""

    verbose: bool = False
    log_file: Path | None = None


verbosity_options = stacked(
    click.option(
        "--log-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="also write every event as a JSON line to this file",
    ),
    click.option("-v", "--verbose", is_flag=True, help="show progress events"),
)


class ModelFlags(Options):
    """--model, --base-url, the caps and --no-cache: read only by a planner that asks a model."""

    model: str | None = None
    base_url: str | None = None
    max_cost: float | None = None
    max_tokens: int | None = None
    max_calls: int | None = None
    no_cache: bool = False

    def require_model_planner(self, planner: str) -> None:
        """ConfigError naming the first model flag given (not None, not False) to a planner that
        asks no model: a flag is never parsed and then ignored."""
        from rfsn.planners.patch.strategies import MODEL_PLANNERS

        flags = self.model_dump(include=set(MODEL_FLAGS))
        given = [name for name in MODEL_FLAGS if flags.get(name) not in (None, False)]
        if given and planner not in MODEL_PLANNERS:
            flag = "--" + given[0].replace("_", "-")
            raise ConfigError(
                f"{flag} applies only to the planners that ask a model "
                f"({', '.join(MODEL_PLANNERS)}), not to --planner {planner}"
            )

    def caps(self) -> dict[str, Any]:
        """The model, its server and its caps, as ``RepairOptions`` fields (None: not given)."""
        return self.model_dump(include={"model", "base_url", "max_cost", "max_tokens", "max_calls"})


def model_options(scope: str) -> Decorator:
    """--model, --base-url, the caps (``scope``: what they cap, e.g. "in all") and --no-cache."""
    return stacked(
        click.option("--model", help="model of the openai/anthropic/hybrid planners"),
        click.option("--base-url", help="model server base URL (OpenAI-compatible: http://host:port/v1)"),
        click.option(
            "--max-cost", type=click.FloatRange(min=0, min_open=True), help=f"USD the model calls may cost {scope}"
        ),
        click.option("--max-tokens", type=click.IntRange(min=1), help=f"model tokens (input plus output) {scope}"),
        click.option("--max-calls", type=click.IntRange(min=1), help=f"model calls {scope}"),
        click.option(
            "--no-cache", is_flag=True, help="ask the model again even when the response cache holds an answer"
        ),
    )
