from prefsuite.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListScorersRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListScorersResponse(_message.Message):
    __slots__ = ["scorers"]
    SCORERS_FIELD_NUMBER: _ClassVar[int]
    scorers: _containers.RepeatedCompositeFieldContainer[ScorerInfo]
    def __init__(self, scorers: _Optional[_Iterable[_Union[ScorerInfo, _Mapping]]] = ...) -> None: ...

class ScoreItem(_message.Message):
    __slots__ = ["prompt", "prompt_messages", "response", "truncated"]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    PROMPT_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    prompt: str
    prompt_messages: _containers.RepeatedCompositeFieldContainer[_common_pb2.ChatMessage]
    response: str
    truncated: bool
    def __init__(self, prompt: _Optional[str] = ..., response: _Optional[str] = ..., truncated: bool = ..., prompt_messages: _Optional[_Iterable[_Union[_common_pb2.ChatMessage, _Mapping]]] = ...) -> None: ...

class ScoreRequest(_message.Message):
    __slots__ = ["items", "scorers"]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    SCORERS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[ScoreItem]
    scorers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, items: _Optional[_Iterable[_Union[ScoreItem, _Mapping]]] = ..., scorers: _Optional[_Iterable[str]] = ...) -> None: ...

class ScoreResponse(_message.Message):
    __slots__ = ["cache_hits", "cache_misses", "items"]
    CACHE_HITS_FIELD_NUMBER: _ClassVar[int]
    CACHE_MISSES_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    cache_hits: int
    cache_misses: int
    items: _containers.RepeatedCompositeFieldContainer[ScoredItem]
    def __init__(self, items: _Optional[_Iterable[_Union[ScoredItem, _Mapping]]] = ..., cache_hits: _Optional[int] = ..., cache_misses: _Optional[int] = ...) -> None: ...

class ScoredItem(_message.Message):
    __slots__ = ["by_scorer", "combined"]
    BY_SCORER_FIELD_NUMBER: _ClassVar[int]
    COMBINED_FIELD_NUMBER: _ClassVar[int]
    by_scorer: _containers.RepeatedCompositeFieldContainer[_common_pb2.RewardVector]
    combined: _common_pb2.RewardVector
    def __init__(self, combined: _Optional[_Union[_common_pb2.RewardVector, _Mapping]] = ..., by_scorer: _Optional[_Iterable[_Union[_common_pb2.RewardVector, _Mapping]]] = ...) -> None: ...

class ScorerInfo(_message.Message):
    __slots__ = ["heads", "id", "is_default", "version"]
    HEADS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    heads: _containers.RepeatedScalarFieldContainer[str]
    id: str
    is_default: bool
    version: str
    def __init__(self, id: _Optional[str] = ..., version: _Optional[str] = ..., heads: _Optional[_Iterable[str]] = ..., is_default: bool = ...) -> None: ...
