"""Cognive's Python SDK: runs, budget checks before model calls, and LLM calls reported in the background.

    from cognive import Cognive
    client = Cognive()                      # COGNIVE_API_KEY, COGNIVE_BASE_URL
    with client.run(agent_id) as run: ...   # run.check_budget(...), run.log_llm_call(...)
"""

from ._client import BudgetCheck, Cognive
from ._errors import (BudgetExceededError, CogniveAPIError, CogniveError, CogniveUnavailableError,
                      PolicyViolationError)
from ._run import Run, current_run

__all__ = [
    "BudgetCheck", "BudgetExceededError", "Cognive", "CogniveAPIError", "CogniveError", "CogniveUnavailableError",
    "PolicyViolationError", "Run", "current_run",
]
__version__ = "0.1.0"
