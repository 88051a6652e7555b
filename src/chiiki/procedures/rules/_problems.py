"""Why a rule set, its parameters or a population is refused."""

from __future__ import annotations


class RulesRejected(ValueError):
    """The rules or parameters cannot be used; `problems` names each rule or parameter and the reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))
