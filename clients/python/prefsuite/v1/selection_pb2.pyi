from prefsuite.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DatasetSelectRequest(_message.Message):
    __slots__ = ["candidates", "dataset", "finished", "first_prompt", "prompt_count", "prompt_ids", "prompts_artifact", "run_id", "strategy"]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    DATASET_FIELD_NUMBER: _ClassVar[int]
    FINISHED_FIELD_NUMBER: _ClassVar[int]
    FIRST_PROMPT_FIELD_NUMBER: _ClassVar[int]
    PROMPTS_ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    PROMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    PROMPT_IDS_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    candidates: bool
    dataset: _common_pb2.DatasetOptions
    finished: bytes
    first_prompt: int
    prompt_count: int
    prompt_ids: _containers.RepeatedScalarFieldContainer[str]
    prompts_artifact: str
    run_id: str
    strategy: _common_pb2.StrategyOptions
    def __init__(self, run_id: _Optional[str] = ..., strategy: _Optional[_Union[_common_pb2.StrategyOptions, _Mapping]] = ..., dataset: _Optional[_Union[_common_pb2.DatasetOptions, _Mapping]] = ..., prompt_ids: _Optional[_Iterable[str]] = ..., prompts_artifact: _Optional[str] = ..., first_prompt: _Optional[int] = ..., prompt_count: _Optional[int] = ..., finished: _Optional[bytes] = ..., candidates: bool = ...) -> None: ...

class SelectPairsRequest(_message.Message):
    __slots__ = ["dataset", "prompts", "strategy"]
    DATASET_FIELD_NUMBER: _ClassVar[int]
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    dataset: _common_pb2.DatasetOptions
    prompts: _containers.RepeatedCompositeFieldContainer[_common_pb2.PromptUnit]
    strategy: _common_pb2.StrategyOptions
    def __init__(self, prompts: _Optional[_Iterable[_Union[_common_pb2.PromptUnit, _Mapping]]] = ..., strategy: _Optional[_Union[_common_pb2.StrategyOptions, _Mapping]] = ..., dataset: _Optional[_Union[_common_pb2.DatasetOptions, _Mapping]] = ...) -> None: ...

class SelectPairsResponse(_message.Message):
    __slots__ = ["pairs", "summary"]
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    pairs: _containers.RepeatedCompositeFieldContainer[_common_pb2.PreferencePair]
    summary: _common_pb2.SelectionSummary
    def __init__(self, pairs: _Optional[_Iterable[_Union[_common_pb2.PreferencePair, _Mapping]]] = ..., summary: _Optional[_Union[_common_pb2.SelectionSummary, _Mapping]] = ...) -> None: ...
