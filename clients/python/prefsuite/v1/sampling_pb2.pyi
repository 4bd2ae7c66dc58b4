from prefsuite.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
GOAL_CONDITIONING_NO_SYSTEM: GoalConditioning
GOAL_CONDITIONING_SYSTEM: GoalConditioning
GOAL_CONDITIONING_UNSPECIFIED: GoalConditioning

class SampleRequest(_message.Message):
    __slots__ = ["policy", "prompts", "sampling"]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_FIELD_NUMBER: _ClassVar[int]
    policy: _common_pb2.PolicyRef
    prompts: _containers.RepeatedCompositeFieldContainer[_common_pb2.Prompt]
    sampling: SamplingParams
    def __init__(self, prompts: _Optional[_Iterable[_Union[_common_pb2.Prompt, _Mapping]]] = ..., sampling: _Optional[_Union[SamplingParams, _Mapping]] = ..., policy: _Optional[_Union[_common_pb2.PolicyRef, _Mapping]] = ...) -> None: ...

class SampleResponse(_message.Message):
    __slots__ = ["policy_version", "prompts"]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    policy_version: str
    prompts: _containers.RepeatedCompositeFieldContainer[SampledPrompt]
    def __init__(self, prompts: _Optional[_Iterable[_Union[SampledPrompt, _Mapping]]] = ..., policy_version: _Optional[str] = ...) -> None: ...

class SampleUnit(_message.Message):
    __slots__ = ["policy", "prompt", "run_id", "sampling"]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_FIELD_NUMBER: _ClassVar[int]
    policy: _common_pb2.PolicyRef
    prompt: _common_pb2.Prompt
    run_id: str
    sampling: SamplingParams
    def __init__(self, run_id: _Optional[str] = ..., prompt: _Optional[_Union[_common_pb2.Prompt, _Mapping]] = ..., sampling: _Optional[_Union[SamplingParams, _Mapping]] = ..., policy: _Optional[_Union[_common_pb2.PolicyRef, _Mapping]] = ...) -> None: ...

class SampledPrompt(_message.Message):
    __slots__ = ["prompt", "responses"]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    prompt: _common_pb2.Prompt
    responses: _containers.RepeatedCompositeFieldContainer[_common_pb2.Response]
    def __init__(self, prompt: _Optional[_Union[_common_pb2.Prompt, _Mapping]] = ..., responses: _Optional[_Iterable[_Union[_common_pb2.Response, _Mapping]]] = ...) -> None: ...

class SamplingParams(_message.Message):
    __slots__ = ["goal_conditioning", "max_new_tokens", "n", "seed", "stop", "temperature", "top_k", "top_p"]
    GOAL_CONDITIONING_FIELD_NUMBER: _ClassVar[int]
    MAX_NEW_TOKENS_FIELD_NUMBER: _ClassVar[int]
    N_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    goal_conditioning: GoalConditioning
    max_new_tokens: int
    n: int
    seed: int
    stop: _containers.RepeatedScalarFieldContainer[str]
    temperature: float
    top_k: int
    top_p: float
    def __init__(self, n: _Optional[int] = ..., temperature: _Optional[float] = ..., top_p: _Optional[float] = ..., top_k: _Optional[int] = ..., max_new_tokens: _Optional[int] = ..., stop: _Optional[_Iterable[str]] = ..., seed: _Optional[int] = ..., goal_conditioning: _Optional[_Union[GoalConditioning, str]] = ...) -> None: ...

class GoalConditioning(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
