"""Command line: ``python -m gdviz list`` and ``python -m gdviz run NAME``.

``run`` prints the log the book prints for the experiment. Bad input exits with status 2
and one line naming the problem; a diverged run says so, never with a traceback.
"""

from __future__ import annotations

import argparse
import sys

from gdviz import experiments


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2
        self.exit(2, f"gdviz: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m gdviz", description="Run the book's gradient-descent experiments.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="print the experiment names")
    r = sub.add_parser("run", help="run an experiment and print the book's log")
    r.add_argument("name")
    r.add_argument("--iterations", type=int, default=None, metavar="N")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                   help="change a setting, named as the book names it (repeatable)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "list":
            width = max(map(len, experiments.names()))
            for e in experiments.all_experiments():
                print(f"{e.name:<{width}}  {e.lesson}  {e.title}")
            return 0
        exp = experiments.get(args.name)
        overrides = {}
        for item in args.overrides:
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"--set takes KEY=VALUE, got {item!r}")
            overrides[key.strip()] = exp.param(key.strip()).parse(value)
        lines = exp.lines(args.iterations, **overrides)
        for line in lines:
            print(line, flush=False)
    except ValueError as err:
        print(f"gdviz: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `| head` closed the pipe: not an error
        sys.stdout = None
        return 0
    return 0
