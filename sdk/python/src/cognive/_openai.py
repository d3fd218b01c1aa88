"""``wrap_openai``: budget check before, report after, for OpenAI-shaped clients (found by duck typing).

Only ``chat.completions.create`` is instrumented, sync or async, streaming included; every other attribute is the
wrapped client's own. Usage comes from ``response.usage`` (``prompt_tokens``, ``completion_tokens``,
``prompt_tokens_details.cached_tokens``); for streams the wrapper asks for the final usage chunk
(``stream_options.include_usage``) and hides that chunk from the caller when the caller did not ask for it.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

from ._errors import CogniveAPIError
from ._run import Run, current_run

if TYPE_CHECKING:
    from ._client import Cognive


def wrap(client: "Cognive", openai_client: Any, provider: str, default_max_output_tokens: int) -> Any:
    return _Proxy(openai_client, {"chat": lambda chat: _Proxy(chat, {
        "completions": lambda completions: _Completions(completions, client, provider, default_max_output_tokens)})})


class _Proxy:
    """Passes every attribute through, except the named ones, which it wraps."""

    def __init__(self, inner: Any, wrapped: Dict[str, Any]) -> None:
        self._inner = inner
        self._wrapped = wrapped

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        make = self._wrapped.get(name)
        return make(value) if make is not None else value


class _Call:
    """One instrumented call: what was asked, the check's reservation, and what the answer used."""

    def __init__(self, owner: "_Completions", run: Run, kwargs: Dict[str, Any]) -> None:
        self.owner = owner
        self.run = run
        self.model = str(kwargs.get("model") or "unknown")
        self.input_estimate = _estimate_tokens(kwargs.get("messages"))
        self.max_output = int(kwargs.get("max_completion_tokens") or kwargs.get("max_tokens")
                              or owner.default_max_output_tokens)
        self.reservation_id: Optional[str] = None
        self.started = 0.0
        self.usage: Any = None
        self.chunks = 0
        self.reported = False
        self.streaming = bool(kwargs.get("stream"))
        self.hide_usage_chunk = False  # set when the wrapper, not the caller, asked for the usage chunk

    def check(self) -> None:
        try:
            answer = self.run.check_budget(model=self.model, input_tokens=self.input_estimate,
                                           max_output_tokens=self.max_output, provider=self.owner.provider)
        except CogniveAPIError as error:
            # A model Cognive has no price for cannot be estimated: the call goes ahead unheld (and is still reported).
            if error.status != 400 or "model" not in (error.problem.get("errors") or {}):
                raise
            self.run._client.log.warning("Cognive: no price for model %r; the call is not held against budgets", self.model)
            return
        self.reservation_id = answer.reservation_id

    def report(self, status: str, note: Optional[str] = None) -> None:
        if self.reported:
            return
        self.reported = True
        usage = self.usage
        if usage is not None:
            input_tokens = int(_get(usage, "prompt_tokens") or 0)
            output_tokens = int(_get(usage, "completion_tokens") or 0)
            cached = int(_get(_get(usage, "prompt_tokens_details"), "cached_tokens") or 0)
        elif status == "error" and not self.chunks:
            input_tokens, output_tokens, cached = 0, 0, 0
        else:  # a stream ended before its usage chunk: what was seen
            input_tokens, output_tokens, cached = self.input_estimate, self.chunks, 0
        self.run.log_llm_call(provider=self.owner.provider, model=self.model, input_tokens=input_tokens,
                              output_tokens=output_tokens, cached_input_tokens=min(cached, input_tokens),
                              latency_ms=(time.perf_counter() - self.started) * 1000, status=status,
                              reservation_id=self.reservation_id,
                              metadata={"stream": note} if note else None)

    def answered(self, result: Any, stream_type: Any) -> Any:
        """The answer handed back: a stream wrapped to report when it ends, or the response, reported now."""
        if self.streaming:
            return stream_type(result, self)
        self.usage = _get(result, "usage")
        self.report("success")
        return result

    def see(self, chunk: Any) -> bool:
        """Records a stream chunk; True when it is the usage-only chunk the wrapper asked for (hidden from the caller)."""
        usage = _get(chunk, "usage")
        choices = _get(chunk, "choices")
        if usage is not None:
            self.usage = usage
        if choices:
            self.chunks += 1
        return usage is not None and not choices and self.hide_usage_chunk


class _Completions(_Proxy):
    def __init__(self, inner: Any, client: "Cognive", provider: str, default_max_output_tokens: int) -> None:
        super().__init__(inner, {})
        self.client = client
        self.provider = provider
        self.default_max_output_tokens = default_max_output_tokens

    def create(self, *args: Any, **kwargs: Any) -> Any:
        """``chat.completions.create`` with Cognive's budget check before it and its report after it."""
        run = current_run()
        if run is None:
            return self._inner.create(*args, **kwargs)
        if inspect.iscoroutinefunction(self._inner.create):
            return self._create_async(run, args, kwargs)
        call, kwargs = self._prepare(run, kwargs)
        call.check()
        call.started = time.perf_counter()
        try:
            result = self._inner.create(*args, **kwargs)
        except BaseException:
            call.report("error")
            raise
        return call.answered(result, _Stream)

    async def _create_async(self, run: Run, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
        call, kwargs = self._prepare(run, kwargs)
        await asyncio.get_running_loop().run_in_executor(None, call.check)
        call.started = time.perf_counter()
        try:
            result = await self._inner.create(*args, **kwargs)
        except BaseException:
            call.report("error")
            raise
        return call.answered(result, _AsyncStream)

    def _prepare(self, run: Run, kwargs: Dict[str, Any]) -> Tuple[_Call, Dict[str, Any]]:
        call = _Call(self, run, kwargs)
        if call.streaming:
            options = dict(kwargs.get("stream_options") or {})
            if "include_usage" not in options:
                options["include_usage"] = True
                call.hide_usage_chunk = True
                kwargs = dict(kwargs, stream_options=options)
        return call, kwargs


class _Stream:
    """A sync stream that records usage as it passes and reports when it ends, fails or is closed early."""

    def __init__(self, inner: Any, call: _Call) -> None:
        self._inner = inner
        self._iterator = iter(inner)
        self._call = call

    def __iter__(self) -> "_Stream":
        return self

    def __next__(self) -> Any:
        while True:
            try:
                chunk = next(self._iterator)
            except StopIteration:
                self._call.report("success")
                raise
            except BaseException:
                self._call.report("error")
                raise
            if not self._call.see(chunk):
                return chunk

    def close(self) -> None:
        self._call.report("success", "closed before its end")
        closer = getattr(self._inner, "close", None)
        if closer is not None:
            closer()

    def __enter__(self) -> "_Stream":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _AsyncStream:
    """The async twin of :class:`_Stream`."""

    def __init__(self, inner: Any, call: _Call) -> None:
        self._inner = inner
        self._iterator = inner.__aiter__()
        self._call = call

    def __aiter__(self) -> "_AsyncStream":
        return self

    async def __anext__(self) -> Any:
        while True:
            try:
                chunk = await self._iterator.__anext__()
            except StopAsyncIteration:
                self._call.report("success")
                raise
            except BaseException:
                self._call.report("error")
                raise
            if not self._call.see(chunk):
                return chunk

    async def close(self) -> None:
        self._call.report("success", "closed before its end")
        closer = getattr(self._inner, "close", None)
        if closer is not None:
            result = closer()
            if inspect.isawaitable(result):
                await result

    async def __aenter__(self) -> "_AsyncStream":
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _get(value: Any, name: str) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def _estimate_tokens(messages: Any) -> int:
    """About four characters a token, plus a few per message: an estimate for the budget hold, not a count."""
    characters = 0
    count = 0
    for message in messages or []:
        count += 1
        content = _get(message, "content")
        if isinstance(content, str):
            characters += len(content)
        elif isinstance(content, list):
            characters += sum(len(_get(part, "text") or "") for part in content)
    return characters // 4 + 4 * count
