"""A small typed helper over the generated PrefSuite stubs.

It connects to the services with an API key, and covers the common calls: score a batch (text or conversation
prompts), submit a run, watch it, wait for it and stream its exported rows. Everything else goes through the generated
stubs, which it hands out ready to use (`client.sampling.Sample(...)`): the key travels with every call either way.
"""
from __future__ import annotations

import itertools
import json
import os
from collections import namedtuple
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import grpc

from prefsuite.health.v1 import health_pb2, health_pb2_grpc
from prefsuite.v1 import (
    common_pb2,
    denoising_pb2_grpc,
    pipeline_pb2,
    pipeline_pb2_grpc,
    reward_scoring_pb2,
    reward_scoring_pb2_grpc,
    sampling_pb2_grpc,
    selection_pb2_grpc,
    training_pb2_grpc,
)

#: The six services, by the names `connect` takes.
SERVICES: Tuple[str, ...] = ("sampling", "scoring", "denoising", "selection", "training", "pipeline")

#: Run states after which nothing changes.
FINAL_STATES = frozenset(
    {pipeline_pb2.RUN_STATE_SUCCEEDED, pipeline_pb2.RUN_STATE_FAILED, pipeline_pb2.RUN_STATE_CANCELLED}
)

#: A conversation turn: a ChatMessage, a (role, content) pair or a {"role": ..., "content": ...} mapping.
Message = Union[common_pb2.ChatMessage, Tuple[str, str], Mapping[str, str]]
#: A prompt: plain text, a conversation, or a Prompt message.
PromptLike = Union[str, Sequence[Message], common_pb2.Prompt]
#: One response to score: a ScoreItem, or (prompt, response) or (prompt, response, truncated).
ScoreLike = Union[reward_scoring_pb2.ScoreItem, Tuple[PromptLike, str], Tuple[PromptLike, str, bool]]


class ServiceNotConfigured(LookupError):
    """A call needs a service whose address was not given."""


def chat_messages(turns: Sequence[Message], field: str = "messages") -> List[common_pb2.ChatMessage]:
    """Conversation turns as ChatMessages; a turn without a role raises ValueError naming it (e.g. messages[1].role)."""
    result = []
    for i, turn in enumerate(turns):
        if isinstance(turn, common_pb2.ChatMessage):
            message = turn
        elif isinstance(turn, Mapping):
            message = common_pb2.ChatMessage(role=turn.get("role", ""), content=turn.get("content", ""))
        elif isinstance(turn, tuple) and len(turn) == 2:
            message = common_pb2.ChatMessage(role=turn[0], content=turn[1])
        else:
            raise TypeError(f"{field}[{i}]: expected a ChatMessage, a (role, content) pair or a mapping, got {turn!r}")
        if not message.role:
            raise ValueError(f"{field}[{i}].role: is missing")
        result.append(message)
    if not result:
        raise ValueError(f"{field}: a conversation needs at least one message")
    return result


def prompt(value: PromptLike, prompt_id: str = "") -> common_pb2.Prompt:
    """A Prompt from text or a conversation: prompt("sort 3 1 2 ="), prompt([("system", "..."), ("user", "...")])."""
    if isinstance(value, common_pb2.Prompt):
        result = common_pb2.Prompt()
        result.CopyFrom(value)
        if prompt_id:
            result.prompt_id = prompt_id
        return result
    if isinstance(value, str):
        return common_pb2.Prompt(prompt_id=prompt_id, text=value)
    return common_pb2.Prompt(prompt_id=prompt_id, messages=chat_messages(value))


def score_item(prompt_value: PromptLike, response: str, truncated: bool = False) -> reward_scoring_pb2.ScoreItem:
    """A ScoreItem whose prompt is text (ScoreItem.prompt) or a conversation (ScoreItem.prompt_messages)."""
    if isinstance(prompt_value, common_pb2.Prompt):
        prompt_value = list(prompt_value.messages) if prompt_value.messages else prompt_value.text
    if isinstance(prompt_value, str):
        return reward_scoring_pb2.ScoreItem(prompt=prompt_value, response=response, truncated=truncated)
    return reward_scoring_pb2.ScoreItem(
        prompt_messages=chat_messages(prompt_value, "prompt_messages"), response=response, truncated=truncated
    )


def _score_request(items: Iterable[ScoreLike], scorers: Sequence[str]) -> reward_scoring_pb2.ScoreRequest:
    request = reward_scoring_pb2.ScoreRequest(scorers=list(scorers))
    for i, item in enumerate(items):
        if isinstance(item, reward_scoring_pb2.ScoreItem):
            request.items.append(item)
        elif isinstance(item, tuple) and len(item) in (2, 3):
            request.items.append(score_item(*item))
        else:
            raise TypeError(f"items[{i}]: expected a ScoreItem or (prompt, response[, truncated]), got {item!r}")
    return request


class _CallDetails(
    namedtuple("_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
    grpc.ClientCallDetails,
):
    pass


class _ApiKey(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Adds "x-api-key" to every call; works on plain-text channels too, where call credentials are refused."""

    def __init__(self, key: str) -> None:
        self._header = ("x-api-key", key)

    def _with_key(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        metadata = list(details.metadata or []) + [self._header]
        return _CallDetails(
            details.method,
            details.timeout,
            metadata,
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return continuation(self._with_key(client_call_details), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return continuation(self._with_key(client_call_details), request)

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return continuation(self._with_key(client_call_details), request_iterator)

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return continuation(self._with_key(client_call_details), request_iterator)


class PrefSuite:
    """Channels to the PrefSuite services (one address each), the generated stubs on them, and helpers.

    Use `connect(...)` to build one; close it (or use it in a `with` block) to close the channels.
    """

    def __init__(
        self,
        addresses: Mapping[str, str],
        *,
        api_key: Optional[str] = None,
        secure: bool = False,
        root_certificates: Optional[bytes] = None,
        timeout: float = 30.0,
        options: Sequence[Tuple[str, Any]] = (),
    ) -> None:
        unknown = sorted(set(addresses) - set(SERVICES))
        if unknown:
            raise ValueError(f"unknown service {', '.join(unknown)}: the services are {', '.join(SERVICES)}")
        self.addresses: Dict[str, str] = {k: v for k, v in addresses.items() if v}
        self.timeout = timeout
        self._api_key = api_key or None
        self._secure = secure
        self._root_certificates = root_certificates
        self._options = list(options)
        self._channels: Dict[str, grpc.Channel] = {}

    # ----------------------------------------------------------------------------------------------- channels, stubs

    def channel(self, service: str) -> grpc.Channel:
        """The channel to one service (opened on first use), with the API key on every call."""
        if service not in SERVICES:
            raise ValueError(f"unknown service {service}: the services are {', '.join(SERVICES)}")
        if service not in self._channels:
            address = self.addresses.get(service)
            if not address:
                raise ServiceNotConfigured(
                    f"no address for the {service} service: pass connect({service}='host:port') "
                    f"or set PREFSUITE_{service.upper()}_ADDRESS"
                )
            if self._secure:
                channel = grpc.secure_channel(address, grpc.ssl_channel_credentials(self._root_certificates), self._options)
            else:
                channel = grpc.insecure_channel(address, self._options)
            if self._api_key:
                channel = grpc.intercept_channel(channel, _ApiKey(self._api_key))
            self._channels[service] = channel
        return self._channels[service]

    @property
    def sampling(self) -> sampling_pb2_grpc.SamplingServiceStub:
        return sampling_pb2_grpc.SamplingServiceStub(self.channel("sampling"))

    @property
    def scoring(self) -> reward_scoring_pb2_grpc.RewardScoringServiceStub:
        return reward_scoring_pb2_grpc.RewardScoringServiceStub(self.channel("scoring"))

    @property
    def denoising(self) -> denoising_pb2_grpc.DenoisingServiceStub:
        return denoising_pb2_grpc.DenoisingServiceStub(self.channel("denoising"))

    @property
    def selection(self) -> selection_pb2_grpc.SelectionServiceStub:
        return selection_pb2_grpc.SelectionServiceStub(self.channel("selection"))

    @property
    def training(self) -> training_pb2_grpc.TrainingServiceStub:
        return training_pb2_grpc.TrainingServiceStub(self.channel("training"))

    @property
    def pipeline(self) -> pipeline_pb2_grpc.PipelineServiceStub:
        return pipeline_pb2_grpc.PipelineServiceStub(self.channel("pipeline"))

    def health(self, service: str) -> str:
        """The gRPC health of the server behind a service ("SERVING", "NOT_SERVING", ...); needs no API key."""
        stub = health_pb2_grpc.HealthStub(self.channel(service))
        answer = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=self.timeout)
        return health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)

    # ------------------------------------------------------------------------------------------------------ scoring

    def score(self, items: Iterable[ScoreLike], *, scorers: Sequence[str] = ()) -> reward_scoring_pb2.ScoreResponse:
        """Scores one batch (at most 4,096 items); `scorers` empty uses the deployment's default scorer. For example
        `client.score([("sort 3 1 2 =", "1 2 3"), ([("user", "sort 3 1 2 =")], "3 2 1")]).items[0].combined.reward`."""
        return self.scoring.Score(_score_request(items, scorers), timeout=self.timeout)

    def score_stream(
        self, batches: Iterable[Iterable[ScoreLike]], *, scorers: Sequence[str] = ()
    ) -> Iterator[reward_scoring_pb2.ScoreResponse]:
        """Scores batches over one stream, one answer per batch, in order (bulk scoring)."""
        requests = (_score_request(batch, scorers) for batch in batches)
        return iter(self.scoring.ScoreStream(requests))

    # -------------------------------------------------------------------------------------------------------- runs

    def submit_run(self, spec: pipeline_pb2.RunSpec) -> pipeline_pb2.Run:
        """Starts a run (the same run_id again returns the same run)."""
        return self.pipeline.SubmitRun(spec, timeout=self.timeout)

    def submit_run_stream(
        self,
        spec: pipeline_pb2.RunSpec,
        prompts: Iterable[Union[common_pb2.Prompt, Tuple[str, PromptLike]]] = (),
        *,
        batch_bytes: int = 1 << 20,
        timeout: Optional[float] = 600,
    ) -> pipeline_pb2.Run:
        """Starts a run whose prompts do not fit one message (a million of them): `spec`'s settings go first, then its
        own prompts and `prompts` (Prompt messages or (prompt_id, text or conversation) pairs, read lazily) in messages
        of about `batch_bytes` each. Otherwise as `submit_run`."""

        def messages() -> Iterator[pipeline_pb2.RunSpec]:
            settings = pipeline_pb2.RunSpec()
            settings.CopyFrom(spec)
            del settings.prompts[:]
            yield settings
            chunk, size = pipeline_pb2.RunSpec(), 0
            for item in itertools.chain(spec.prompts, prompts):
                value = item if isinstance(item, common_pb2.Prompt) else prompt(item[1], item[0])
                chunk.prompts.append(value)
                size += value.ByteSize() + 8
                if size >= batch_bytes:
                    yield chunk
                    chunk, size = pipeline_pb2.RunSpec(), 0
            if chunk.prompts:
                yield chunk

        return self.pipeline.SubmitRunStream(messages(), timeout=timeout)

    def get_run(self, run_id: str) -> pipeline_pb2.Run:
        return self.pipeline.GetRun(pipeline_pb2.RunRequest(run_id=run_id), timeout=self.timeout)

    def watch_run(self, run_id: str, *, timeout: Optional[float] = None) -> Iterator[pipeline_pb2.RunEvent]:
        """The run's events as they happen, until it ends (or `timeout` seconds pass: DEADLINE_EXCEEDED)."""
        return iter(self.pipeline.WatchRun(pipeline_pb2.RunRequest(run_id=run_id), timeout=timeout))

    def wait_for_run(self, run_id: str, *, timeout: Optional[float] = None) -> pipeline_pb2.Run:
        """Watches the run until it ends and returns it as it ended (check `.state` and `.error`)."""
        last: Optional[pipeline_pb2.Run] = None
        for event in self.watch_run(run_id, timeout=timeout):
            last = event.run
        if last is None or last.state not in FINAL_STATES:
            last = self.get_run(run_id)
        return last

    def export_run(self, run_id: str, what: str = "pairs") -> Iterator[Dict[str, Any]]:
        """Streams a run's exported JSONL as rows: "pairs" (TRL rows) or "samples" (every response with its scores)."""
        pending = b""
        for chunk in self.pipeline.ExportRun(pipeline_pb2.ExportRunRequest(run_id=run_id, what=what)):
            pending += chunk.data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line.strip():
                    yield json.loads(line)
        if pending.strip():
            yield json.loads(pending)

    # ----------------------------------------------------------------------------------------------------- lifetime

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()

    def __enter__(self) -> "PrefSuite":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def connect(
    *,
    sampling: Optional[str] = None,
    scoring: Optional[str] = None,
    denoising: Optional[str] = None,
    selection: Optional[str] = None,
    training: Optional[str] = None,
    pipeline: Optional[str] = None,
    api_key: Optional[str] = None,
    secure: bool = False,
    root_certificates: Optional[bytes] = None,
    timeout: float = 30.0,
) -> PrefSuite:
    """Connects to the services whose "host:port" is given here or in PREFSUITE_<SERVICE>_ADDRESS (e.g.
    PREFSUITE_PIPELINE_ADDRESS), with the API key given or in PREFSUITE_API_KEY (sent as x-api-key). `secure` uses TLS
    (Azure Container Apps ingress); `timeout` is the deadline of each unary call, in seconds."""
    given = dict(
        sampling=sampling, scoring=scoring, denoising=denoising, selection=selection, training=training, pipeline=pipeline
    )
    addresses = {s: given[s] or os.environ.get(f"PREFSUITE_{s.upper()}_ADDRESS", "") for s in SERVICES}
    return PrefSuite(
        addresses,
        api_key=api_key if api_key is not None else os.environ.get("PREFSUITE_API_KEY"),
        secure=secure,
        root_certificates=root_certificates,
        timeout=timeout,
    )
