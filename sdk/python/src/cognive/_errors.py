"""Typed exceptions: Cognive's RFC 9457 problem details become one class per problem ``type``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Mapping, Optional

BUDGET_EXCEEDED = "https://cognive.dev/problems/budget-exceeded"
POLICY_VIOLATION = "https://cognive.dev/problems/policy-violation"


class CogniveError(Exception):
    """Base of every exception the SDK raises."""


class CogniveAPIError(CogniveError):
    """Cognive answered with an error.

    Attributes:
        status: the HTTP status (``None`` when no answer came, see :class:`CogniveUnavailableError`).
        problem: the problem details as a dict (``type``, ``title``, ``detail`` and any extensions); empty when the
            answer carried none.
        type: the problem's stable ``type`` URI, or ``None``.
    """

    def __init__(self, message: str, status: Optional[int] = None, problem: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.problem: Dict[str, Any] = dict(problem or {})
        self.type: Optional[str] = self.problem.get("type")
        self.title: Optional[str] = self.problem.get("title")
        self.detail: Optional[str] = self.problem.get("detail")


class CogniveUnavailableError(CogniveAPIError):
    """Cognive could not be reached, timed out, or answered 5xx (for example ``budgets-unavailable``)."""


class BudgetExceededError(CogniveAPIError):
    """A hard budget has no room (HTTP 429, ``budget-exceeded``).

    Attributes:
        budget_id, limit, spent, reserved: the blocking budget and its state.
        resets_at: when the budget's period resets (a ``datetime`` in UTC), or ``None`` for a ``total`` budget.
    """

    def __init__(self, message: str, status: Optional[int] = None, problem: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message, status, problem)
        self.budget_id: Optional[str] = self.problem.get("budget_id")
        self.limit = self.problem.get("limit")
        self.spent = self.problem.get("spent")
        self.reserved = self.problem.get("reserved")
        self.resets_at: Optional[datetime] = _parse_time(self.problem.get("resets_at"))


class PolicyViolationError(CogniveAPIError):
    """A policy forbids the call (HTTP 403, ``policy-violation``).

    Attributes:
        policy_id, policy: the policy's id and name.
        rule: the rule that was broken (for example ``allowed_models``).
    """

    def __init__(self, message: str, status: Optional[int] = None, problem: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message, status, problem)
        self.policy_id: Optional[str] = self.problem.get("policy_id")
        self.policy: Optional[str] = self.problem.get("policy")
        self.rule: Optional[str] = self.problem.get("rule")


def error_for(status: int, problem: Mapping[str, Any], what: str) -> CogniveAPIError:
    """The exception for an error answer to ``what`` (a short description of the request)."""
    kind = problem.get("type")
    text = problem.get("detail") or problem.get("title") or "HTTP %d" % status
    message = "%s: %s" % (what, text)
    if kind == BUDGET_EXCEEDED:
        return BudgetExceededError(message, status, problem)
    if kind == POLICY_VIOLATION:
        rule = problem.get("rule")
        return PolicyViolationError("%s (rule %s)" % (message, rule) if rule else message, status, problem)
    if status >= 500:
        return CogniveUnavailableError(message, status, problem)
    return CogniveAPIError(message, status, problem)


def _parse_time(value: Any) -> Optional[datetime]:
    if not isinstance(value, str):
        return None
    text = value.replace("Z", "+00:00")
    # Python 3.9's fromisoformat takes at most six fractional digits; .NET writes seven.
    if "." in text:
        head, _, tail = text.partition(".")
        length = len(tail) - len(tail.lstrip("0123456789"))
        digits, zone = tail[:length], tail[length:]
        text = "%s.%s%s" % (head, digits[:6].ljust(6, "0"), zone)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
