"""The one exception type the library raises for unusable input.

It carries the same three things as a validation finding: a stable code, a location
and what to do. The CLI turns it into a message and exit status 2; nothing else in
the library prints.
"""

from __future__ import annotations


class HmeimimError(Exception):
    """Input the library cannot use at all (as opposed to findings in usable input)."""

    def __init__(self, code: str, location: str, message: str, fix: str) -> None:
        super().__init__(f"{code} {location}: {message}")
        self.code = code
        self.location = location
        self.message = message
        self.fix = fix

    def render(self) -> str:
        return f"{self.location}: {self.code} {self.message}\n  fix: {self.fix}"
