from prefsuite.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
JOB_STATE_CANCELLED: JobState
JOB_STATE_FAILED: JobState
JOB_STATE_QUEUED: JobState
JOB_STATE_RUNNING: JobState
JOB_STATE_SUCCEEDED: JobState
JOB_STATE_UNSPECIFIED: JobState
LOSS_KIND_HINGE: LossKind
LOSS_KIND_IPO: LossKind
LOSS_KIND_ML_RDPO: LossKind
LOSS_KIND_ODPO: LossKind
LOSS_KIND_RDPO: LossKind
LOSS_KIND_ROBUST: LossKind
LOSS_KIND_SFT: LossKind
LOSS_KIND_SIGMOID: LossKind
LOSS_KIND_UNSPECIFIED: LossKind
PAIR_ORDER_CURRICULUM: PairOrder
PAIR_ORDER_SHUFFLED: PairOrder
PAIR_ORDER_UNSPECIFIED: PairOrder

class JobRequest(_message.Message):
    __slots__ = ["job_id"]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class LoraOptions(_message.Message):
    __slots__ = ["alpha", "dropout", "rank", "target_modules"]
    ALPHA_FIELD_NUMBER: _ClassVar[int]
    DROPOUT_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    TARGET_MODULES_FIELD_NUMBER: _ClassVar[int]
    alpha: float
    dropout: float
    rank: int
    target_modules: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rank: _Optional[int] = ..., alpha: _Optional[float] = ..., dropout: _Optional[float] = ..., target_modules: _Optional[_Iterable[str]] = ...) -> None: ...

class LossTerm(_message.Message):
    __slots__ = ["kind", "weight"]
    KIND_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    kind: LossKind
    weight: float
    def __init__(self, kind: _Optional[_Union[LossKind, str]] = ..., weight: _Optional[float] = ...) -> None: ...

class TrainJob(_message.Message):
    __slots__ = ["checkpoint_version", "error", "final_loss", "held_out_accuracy", "held_out_margin", "held_out_pairs", "job_id", "reward_after", "reward_before", "run_id", "state", "step", "success_after", "success_before", "total_steps"]
    CHECKPOINT_VERSION_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    FINAL_LOSS_FIELD_NUMBER: _ClassVar[int]
    HELD_OUT_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    HELD_OUT_MARGIN_FIELD_NUMBER: _ClassVar[int]
    HELD_OUT_PAIRS_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    REWARD_AFTER_FIELD_NUMBER: _ClassVar[int]
    REWARD_BEFORE_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_AFTER_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_BEFORE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_STEPS_FIELD_NUMBER: _ClassVar[int]
    checkpoint_version: str
    error: str
    final_loss: float
    held_out_accuracy: float
    held_out_margin: float
    held_out_pairs: int
    job_id: str
    reward_after: float
    reward_before: float
    run_id: str
    state: JobState
    step: int
    success_after: float
    success_before: float
    total_steps: int
    def __init__(self, job_id: _Optional[str] = ..., run_id: _Optional[str] = ..., state: _Optional[_Union[JobState, str]] = ..., step: _Optional[int] = ..., total_steps: _Optional[int] = ..., checkpoint_version: _Optional[str] = ..., error: _Optional[str] = ..., reward_before: _Optional[float] = ..., reward_after: _Optional[float] = ..., success_before: _Optional[float] = ..., success_after: _Optional[float] = ..., held_out_pairs: _Optional[int] = ..., held_out_accuracy: _Optional[float] = ..., held_out_margin: _Optional[float] = ..., final_loss: _Optional[float] = ...) -> None: ...

class TrainOptions(_message.Message):
    __slots__ = ["alpha", "batch_size", "beta", "beta1", "epochs", "epsilon", "gradient_accumulation", "learning_rate", "lora", "losses", "ml_rdpo_lambda", "pair_order", "seed", "steps", "warmup_steps", "weight_decay"]
    ALPHA_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    BETA1_FIELD_NUMBER: _ClassVar[int]
    BETA_FIELD_NUMBER: _ClassVar[int]
    EPOCHS_FIELD_NUMBER: _ClassVar[int]
    EPSILON_FIELD_NUMBER: _ClassVar[int]
    GRADIENT_ACCUMULATION_FIELD_NUMBER: _ClassVar[int]
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    LORA_FIELD_NUMBER: _ClassVar[int]
    LOSSES_FIELD_NUMBER: _ClassVar[int]
    ML_RDPO_LAMBDA_FIELD_NUMBER: _ClassVar[int]
    PAIR_ORDER_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    WARMUP_STEPS_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_DECAY_FIELD_NUMBER: _ClassVar[int]
    alpha: float
    batch_size: int
    beta: float
    beta1: float
    epochs: int
    epsilon: float
    gradient_accumulation: int
    learning_rate: float
    lora: LoraOptions
    losses: _containers.RepeatedCompositeFieldContainer[LossTerm]
    ml_rdpo_lambda: float
    pair_order: PairOrder
    seed: int
    steps: int
    warmup_steps: int
    weight_decay: float
    def __init__(self, losses: _Optional[_Iterable[_Union[LossTerm, _Mapping]]] = ..., beta: _Optional[float] = ..., epsilon: _Optional[float] = ..., alpha: _Optional[float] = ..., beta1: _Optional[float] = ..., ml_rdpo_lambda: _Optional[float] = ..., learning_rate: _Optional[float] = ..., warmup_steps: _Optional[int] = ..., epochs: _Optional[int] = ..., steps: _Optional[int] = ..., batch_size: _Optional[int] = ..., seed: _Optional[int] = ..., weight_decay: _Optional[float] = ..., lora: _Optional[_Union[LoraOptions, _Mapping]] = ..., gradient_accumulation: _Optional[int] = ..., pair_order: _Optional[_Union[PairOrder, str]] = ...) -> None: ...

class TrainProgress(_message.Message):
    __slots__ = ["chosen_logprob", "job_id", "learning_rate", "loss", "mean_margin", "rejected_logprob", "reward_accuracy", "state", "step", "total_steps"]
    CHOSEN_LOGPROB_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    LOSS_FIELD_NUMBER: _ClassVar[int]
    MEAN_MARGIN_FIELD_NUMBER: _ClassVar[int]
    REJECTED_LOGPROB_FIELD_NUMBER: _ClassVar[int]
    REWARD_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    TOTAL_STEPS_FIELD_NUMBER: _ClassVar[int]
    chosen_logprob: float
    job_id: str
    learning_rate: float
    loss: float
    mean_margin: float
    rejected_logprob: float
    reward_accuracy: float
    state: JobState
    step: int
    total_steps: int
    def __init__(self, job_id: _Optional[str] = ..., state: _Optional[_Union[JobState, str]] = ..., step: _Optional[int] = ..., total_steps: _Optional[int] = ..., loss: _Optional[float] = ..., reward_accuracy: _Optional[float] = ..., mean_margin: _Optional[float] = ..., learning_rate: _Optional[float] = ..., chosen_logprob: _Optional[float] = ..., rejected_logprob: _Optional[float] = ...) -> None: ...

class TrainRequest(_message.Message):
    __slots__ = ["base_policy", "dataset_artifact", "demo_sft", "evaluation_prompts", "held_out_pairs", "implicit_warmup", "job_id", "options", "pairs", "run_id", "subset_fraction"]
    BASE_POLICY_FIELD_NUMBER: _ClassVar[int]
    DATASET_ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    DEMO_SFT_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_PROMPTS_FIELD_NUMBER: _ClassVar[int]
    HELD_OUT_PAIRS_FIELD_NUMBER: _ClassVar[int]
    IMPLICIT_WARMUP_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SUBSET_FRACTION_FIELD_NUMBER: _ClassVar[int]
    base_policy: _common_pb2.PolicyRef
    dataset_artifact: str
    demo_sft: bool
    evaluation_prompts: int
    held_out_pairs: int
    implicit_warmup: bool
    job_id: str
    options: TrainOptions
    pairs: _containers.RepeatedCompositeFieldContainer[_common_pb2.PreferencePair]
    run_id: str
    subset_fraction: float
    def __init__(self, job_id: _Optional[str] = ..., run_id: _Optional[str] = ..., base_policy: _Optional[_Union[_common_pb2.PolicyRef, _Mapping]] = ..., options: _Optional[_Union[TrainOptions, _Mapping]] = ..., demo_sft: bool = ..., pairs: _Optional[_Iterable[_Union[_common_pb2.PreferencePair, _Mapping]]] = ..., dataset_artifact: _Optional[str] = ..., evaluation_prompts: _Optional[int] = ..., held_out_pairs: _Optional[int] = ..., subset_fraction: _Optional[float] = ..., implicit_warmup: bool = ...) -> None: ...

class LossKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class PairOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class JobState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
