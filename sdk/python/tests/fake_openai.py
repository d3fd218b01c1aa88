"""An OpenAI-shaped stand-in for the model (the model is not what these tests are about): it records each call."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Dict, Iterator, List


def usage(prompt: int, completion: int, cached: int) -> SimpleNamespace:
    return SimpleNamespace(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion,
                           prompt_tokens_details=SimpleNamespace(cached_tokens=cached))


class FakeCompletions:
    def __init__(self, prompt: int = 120, completion: int = 30, cached: int = 100) -> None:
        self.calls: List[Dict[str, Any]] = []
        self._usage = (prompt, completion, cached)

    def create(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        if kwargs.get("stream"):
            return self._stream(bool((kwargs.get("stream_options") or {}).get("include_usage")))
        return SimpleNamespace(model=kwargs["model"], usage=usage(*self._usage),
                               choices=[SimpleNamespace(message=SimpleNamespace(content="hello"))])

    def _stream(self, include_usage: bool) -> Iterator[Any]:
        for word in ("hel", "lo", "!"):
            yield SimpleNamespace(choices=[SimpleNamespace(delta=SimpleNamespace(content=word))], usage=None)
        if include_usage:  # like OpenAI: a last chunk with no choices and the usage
            yield SimpleNamespace(choices=[], usage=usage(*self._usage))


class FakeOpenAI:
    def __init__(self, **usage_numbers: int) -> None:
        self.completions = FakeCompletions(**usage_numbers)
        self.chat = SimpleNamespace(completions=self.completions)
        self.api_key = "not-a-key"
