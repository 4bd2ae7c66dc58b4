from google.protobuf import timestamp_pb2 as _timestamp_pb2
from prefsuite.v1 import common_pb2 as _common_pb2
from prefsuite.v1 import sampling_pb2 as _sampling_pb2
from prefsuite.v1 import training_pb2 as _training_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
RUN_STATE_CANCELLED: RunState
RUN_STATE_FAILED: RunState
RUN_STATE_RUNNING: RunState
RUN_STATE_SELECTING: RunState
RUN_STATE_SUCCEEDED: RunState
RUN_STATE_TRAINING: RunState
RUN_STATE_UNSPECIFIED: RunState

class DeadLetter(_message.Message):
    __slots__ = ["error", "stage", "unit_id"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    error: str
    stage: str
    unit_id: str
    def __init__(self, stage: _Optional[str] = ..., unit_id: _Optional[str] = ..., error: _Optional[str] = ...) -> None: ...

class ExportChunk(_message.Message):
    __slots__ = ["data"]
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class ExportRunRequest(_message.Message):
    __slots__ = ["run_id", "what"]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    WHAT_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    what: str
    def __init__(self, run_id: _Optional[str] = ..., what: _Optional[str] = ...) -> None: ...

class ListRunsRequest(_message.Message):
    __slots__ = ["limit"]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    limit: int
    def __init__(self, limit: _Optional[int] = ...) -> None: ...

class ListRunsResponse(_message.Message):
    __slots__ = ["runs"]
    RUNS_FIELD_NUMBER: _ClassVar[int]
    runs: _containers.RepeatedCompositeFieldContainer[Run]
    def __init__(self, runs: _Optional[_Iterable[_Union[Run, _Mapping]]] = ...) -> None: ...

class RoundSummary(_message.Message):
    __slots__ = ["checkpoint_version", "dataset_artifact", "held_out_accuracy", "mean_chosen_reward", "mean_rejected_reward", "pairs", "policy", "prompts", "round", "training_loss", "warmup_checkpoint"]
    CHECKPOINT_VERSION_FIELD_NUMBER: _ClassVar[int]
    DATASET_ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    HELD_OUT_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    MEAN_CHOSEN_REWARD_FIELD_NUMBER: _ClassVar[int]
    MEAN_REJECTED_REWARD_FIELD_NUMBER: _ClassVar[int]
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    TRAINING_LOSS_FIELD_NUMBER: _ClassVar[int]
    WARMUP_CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    checkpoint_version: str
    dataset_artifact: str
    held_out_accuracy: float
    mean_chosen_reward: float
    mean_rejected_reward: float
    pairs: int
    policy: str
    prompts: int
    round: int
    training_loss: float
    warmup_checkpoint: str
    def __init__(self, round: _Optional[int] = ..., prompts: _Optional[int] = ..., policy: _Optional[str] = ..., pairs: _Optional[int] = ..., mean_chosen_reward: _Optional[float] = ..., mean_rejected_reward: _Optional[float] = ..., dataset_artifact: _Optional[str] = ..., checkpoint_version: _Optional[str] = ..., held_out_accuracy: _Optional[float] = ..., training_loss: _Optional[float] = ..., warmup_checkpoint: _Optional[str] = ...) -> None: ...

class Run(_message.Message):
    __slots__ = ["checkpoint_version", "created", "dataset_artifact", "dead_letter_count", "dead_letters", "error", "prompt_count", "round", "rounds", "run_id", "selection", "spec", "stages", "state", "training", "updated"]
    CHECKPOINT_VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    DATASET_ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTERS_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTER_COUNT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    PROMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    ROUNDS_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SELECTION_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    STAGES_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TRAINING_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    checkpoint_version: str
    created: _timestamp_pb2.Timestamp
    dataset_artifact: str
    dead_letter_count: int
    dead_letters: _containers.RepeatedCompositeFieldContainer[DeadLetter]
    error: str
    prompt_count: int
    round: int
    rounds: _containers.RepeatedCompositeFieldContainer[RoundSummary]
    run_id: str
    selection: _common_pb2.SelectionSummary
    spec: RunSpec
    stages: _containers.RepeatedCompositeFieldContainer[StageProgress]
    state: RunState
    training: _training_pb2.TrainJob
    updated: _timestamp_pb2.Timestamp
    def __init__(self, run_id: _Optional[str] = ..., state: _Optional[_Union[RunState, str]] = ..., spec: _Optional[_Union[RunSpec, _Mapping]] = ..., stages: _Optional[_Iterable[_Union[StageProgress, _Mapping]]] = ..., dead_letters: _Optional[_Iterable[_Union[DeadLetter, _Mapping]]] = ..., dataset_artifact: _Optional[str] = ..., checkpoint_version: _Optional[str] = ..., selection: _Optional[_Union[_common_pb2.SelectionSummary, _Mapping]] = ..., training: _Optional[_Union[_training_pb2.TrainJob, _Mapping]] = ..., error: _Optional[str] = ..., created: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., updated: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., prompt_count: _Optional[int] = ..., dead_letter_count: _Optional[int] = ..., round: _Optional[int] = ..., rounds: _Optional[_Iterable[_Union[RoundSummary, _Mapping]]] = ...) -> None: ...

class RunEvent(_message.Message):
    __slots__ = ["message", "run", "run_id", "train_progress"]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RUN_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    TRAIN_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    message: str
    run: Run
    run_id: str
    train_progress: _training_pb2.TrainProgress
    def __init__(self, run_id: _Optional[str] = ..., run: _Optional[_Union[Run, _Mapping]] = ..., message: _Optional[str] = ..., train_progress: _Optional[_Union[_training_pb2.TrainProgress, _Mapping]] = ...) -> None: ...

class RunRequest(_message.Message):
    __slots__ = ["run_id"]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class RunSpec(_message.Message):
    __slots__ = ["dataset", "demo_prompts", "demo_seed", "evaluation_prompts", "fresh_prompts", "held_out_pairs", "implicit_warmup", "policy", "prompts", "rounds", "run_id", "sampling", "scorers", "skip_denoise", "strategy", "training"]
    DATASET_FIELD_NUMBER: _ClassVar[int]
    DEMO_PROMPTS_FIELD_NUMBER: _ClassVar[int]
    DEMO_SEED_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_PROMPTS_FIELD_NUMBER: _ClassVar[int]
    FRESH_PROMPTS_FIELD_NUMBER: _ClassVar[int]
    HELD_OUT_PAIRS_FIELD_NUMBER: _ClassVar[int]
    IMPLICIT_WARMUP_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    ROUNDS_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_FIELD_NUMBER: _ClassVar[int]
    SCORERS_FIELD_NUMBER: _ClassVar[int]
    SKIP_DENOISE_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    TRAINING_FIELD_NUMBER: _ClassVar[int]
    dataset: _common_pb2.DatasetOptions
    demo_prompts: int
    demo_seed: int
    evaluation_prompts: int
    fresh_prompts: bool
    held_out_pairs: int
    implicit_warmup: float
    policy: _common_pb2.PolicyRef
    prompts: _containers.RepeatedCompositeFieldContainer[_common_pb2.Prompt]
    rounds: int
    run_id: str
    sampling: _sampling_pb2.SamplingParams
    scorers: _containers.RepeatedScalarFieldContainer[str]
    skip_denoise: bool
    strategy: _common_pb2.StrategyOptions
    training: _training_pb2.TrainOptions
    def __init__(self, run_id: _Optional[str] = ..., prompts: _Optional[_Iterable[_Union[_common_pb2.Prompt, _Mapping]]] = ..., demo_prompts: _Optional[int] = ..., demo_seed: _Optional[int] = ..., sampling: _Optional[_Union[_sampling_pb2.SamplingParams, _Mapping]] = ..., policy: _Optional[_Union[_common_pb2.PolicyRef, _Mapping]] = ..., strategy: _Optional[_Union[_common_pb2.StrategyOptions, _Mapping]] = ..., dataset: _Optional[_Union[_common_pb2.DatasetOptions, _Mapping]] = ..., training: _Optional[_Union[_training_pb2.TrainOptions, _Mapping]] = ..., skip_denoise: bool = ..., evaluation_prompts: _Optional[int] = ..., held_out_pairs: _Optional[int] = ..., rounds: _Optional[int] = ..., fresh_prompts: bool = ..., implicit_warmup: _Optional[float] = ..., scorers: _Optional[_Iterable[str]] = ...) -> None: ...

class StageEvent(_message.Message):
    __slots__ = ["dataset_artifact", "error", "failed", "job", "progress", "prompt_id", "run_id", "selection", "stage"]
    DATASET_ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    PROMPT_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SELECTION_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    dataset_artifact: str
    error: str
    failed: bool
    job: _training_pb2.TrainJob
    progress: _training_pb2.TrainProgress
    prompt_id: str
    run_id: str
    selection: _common_pb2.SelectionSummary
    stage: str
    def __init__(self, run_id: _Optional[str] = ..., stage: _Optional[str] = ..., prompt_id: _Optional[str] = ..., failed: bool = ..., error: _Optional[str] = ..., selection: _Optional[_Union[_common_pb2.SelectionSummary, _Mapping]] = ..., dataset_artifact: _Optional[str] = ..., job: _Optional[_Union[_training_pb2.TrainJob, _Mapping]] = ..., progress: _Optional[_Union[_training_pb2.TrainProgress, _Mapping]] = ...) -> None: ...

class StageProgress(_message.Message):
    __slots__ = ["done", "stage", "total"]
    DONE_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    done: int
    stage: str
    total: int
    def __init__(self, stage: _Optional[str] = ..., done: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class RunState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
