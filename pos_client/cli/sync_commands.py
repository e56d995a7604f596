"""`kupa sync ...` commands, registered on the main parser by `register()`."""

from __future__ import annotations

import argparse
from typing import Any, Callable


def register(sub: Any, cmd: Callable[..., argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to `sub` (the main parser's subparsers); `cmd` adds one command."""
