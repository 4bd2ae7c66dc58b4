from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

AGGREGATION_BAYES: Aggregation
AGGREGATION_MAX: Aggregation
AGGREGATION_MEAN: Aggregation
AGGREGATION_MIN: Aggregation
AGGREGATION_UNSPECIFIED: Aggregation
DESCRIPTOR: _descriptor.FileDescriptor
PAIR_STRATEGY_MAX_MIN: PairStrategy
PAIR_STRATEGY_MAX_MIN_OF_K_RANDOM: PairStrategy
PAIR_STRATEGY_POSITION: PairStrategy
PAIR_STRATEGY_RANDOM: PairStrategy
PAIR_STRATEGY_SWEET_SPOT: PairStrategy
PAIR_STRATEGY_UNSPECIFIED: PairStrategy
ROUTE_DPO: Route
ROUTE_SFT: Route
ROUTE_UNSPECIFIED: Route

class ChatMessage(_message.Message):
    __slots__ = ["content", "role"]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    content: str
    role: str
    def __init__(self, role: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class DatasetOptions(_message.Message):
    __slots__ = ["aggregation", "cap_quantile", "external_cap", "implicit_cap", "keep_count", "keep_fraction", "route_quantile", "route_small_margins"]
    AGGREGATION_FIELD_NUMBER: _ClassVar[int]
    CAP_QUANTILE_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_CAP_FIELD_NUMBER: _ClassVar[int]
    IMPLICIT_CAP_FIELD_NUMBER: _ClassVar[int]
    KEEP_COUNT_FIELD_NUMBER: _ClassVar[int]
    KEEP_FRACTION_FIELD_NUMBER: _ClassVar[int]
    ROUTE_QUANTILE_FIELD_NUMBER: _ClassVar[int]
    ROUTE_SMALL_MARGINS_FIELD_NUMBER: _ClassVar[int]
    aggregation: Aggregation
    cap_quantile: float
    external_cap: float
    implicit_cap: float
    keep_count: int
    keep_fraction: float
    route_quantile: float
    route_small_margins: bool
    def __init__(self, aggregation: _Optional[_Union[Aggregation, str]] = ..., keep_fraction: _Optional[float] = ..., keep_count: _Optional[int] = ..., cap_quantile: _Optional[float] = ..., external_cap: _Optional[float] = ..., implicit_cap: _Optional[float] = ..., route_small_margins: bool = ..., route_quantile: _Optional[float] = ...) -> None: ...

class DenoiseReport(_message.Message):
    __slots__ = ["converged", "flagged", "iterations", "kendall_tau", "rank", "residual", "seconds"]
    CONVERGED_FIELD_NUMBER: _ClassVar[int]
    FLAGGED_FIELD_NUMBER: _ClassVar[int]
    ITERATIONS_FIELD_NUMBER: _ClassVar[int]
    KENDALL_TAU_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    RESIDUAL_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    converged: bool
    flagged: int
    iterations: int
    kendall_tau: float
    rank: int
    residual: float
    seconds: float
    def __init__(self, iterations: _Optional[int] = ..., residual: _Optional[float] = ..., rank: _Optional[int] = ..., flagged: _Optional[int] = ..., converged: bool = ..., kendall_tau: _Optional[float] = ..., seconds: _Optional[float] = ...) -> None: ...

class Matrix(_message.Message):
    __slots__ = ["columns", "observed", "rows", "values"]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    columns: int
    observed: _containers.RepeatedScalarFieldContainer[bool]
    rows: int
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, rows: _Optional[int] = ..., columns: _Optional[int] = ..., values: _Optional[_Iterable[float]] = ..., observed: _Optional[_Iterable[bool]] = ...) -> None: ...

class PolicyRef(_message.Message):
    __slots__ = ["checkpoint"]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    checkpoint: str
    def __init__(self, checkpoint: _Optional[str] = ...) -> None: ...

class PreferencePair(_message.Message):
    __slots__ = ["chosen", "chosen_index", "chosen_position", "fallback", "goal", "implicit_margin", "margin", "p_external", "p_implicit", "probability", "prompt", "prompt_id", "rejected", "rejected_index", "rejected_position", "route", "score_chosen", "score_rejected", "strategy", "swapped"]
    CHOSEN_FIELD_NUMBER: _ClassVar[int]
    CHOSEN_INDEX_FIELD_NUMBER: _ClassVar[int]
    CHOSEN_POSITION_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_FIELD_NUMBER: _ClassVar[int]
    GOAL_FIELD_NUMBER: _ClassVar[int]
    IMPLICIT_MARGIN_FIELD_NUMBER: _ClassVar[int]
    MARGIN_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    PROMPT_ID_FIELD_NUMBER: _ClassVar[int]
    P_EXTERNAL_FIELD_NUMBER: _ClassVar[int]
    P_IMPLICIT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_INDEX_FIELD_NUMBER: _ClassVar[int]
    REJECTED_POSITION_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    SCORE_CHOSEN_FIELD_NUMBER: _ClassVar[int]
    SCORE_REJECTED_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    SWAPPED_FIELD_NUMBER: _ClassVar[int]
    chosen: str
    chosen_index: int
    chosen_position: str
    fallback: str
    goal: float
    implicit_margin: float
    margin: float
    p_external: float
    p_implicit: float
    probability: float
    prompt: Prompt
    prompt_id: str
    rejected: str
    rejected_index: int
    rejected_position: str
    route: Route
    score_chosen: float
    score_rejected: float
    strategy: str
    swapped: bool
    def __init__(self, prompt_id: _Optional[str] = ..., prompt: _Optional[_Union[Prompt, _Mapping]] = ..., chosen: _Optional[str] = ..., rejected: _Optional[str] = ..., score_chosen: _Optional[float] = ..., score_rejected: _Optional[float] = ..., margin: _Optional[float] = ..., route: _Optional[_Union[Route, str]] = ..., strategy: _Optional[str] = ..., chosen_position: _Optional[str] = ..., rejected_position: _Optional[str] = ..., chosen_index: _Optional[int] = ..., rejected_index: _Optional[int] = ..., fallback: _Optional[str] = ..., implicit_margin: _Optional[float] = ..., p_external: _Optional[float] = ..., p_implicit: _Optional[float] = ..., probability: _Optional[float] = ..., goal: _Optional[float] = ..., swapped: bool = ...) -> None: ...

class Prompt(_message.Message):
    __slots__ = ["messages", "prompt_id", "text"]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    PROMPT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[ChatMessage]
    prompt_id: str
    text: str
    def __init__(self, prompt_id: _Optional[str] = ..., text: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[ChatMessage, _Mapping]]] = ...) -> None: ...

class PromptUnit(_message.Message):
    __slots__ = ["denoise", "prompt", "responses", "run_id"]
    DENOISE_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    denoise: DenoiseReport
    prompt: Prompt
    responses: _containers.RepeatedCompositeFieldContainer[Response]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ..., prompt: _Optional[_Union[Prompt, _Mapping]] = ..., responses: _Optional[_Iterable[_Union[Response, _Mapping]]] = ..., denoise: _Optional[_Union[DenoiseReport, _Mapping]] = ...) -> None: ...

class Response(_message.Message):
    __slots__ = ["denoised_reward", "finish_reason", "implicit_reward", "logprob", "reward", "rewards_by_scorer", "sample_index", "text", "token_ids", "token_logprobs"]
    DENOISED_REWARD_FIELD_NUMBER: _ClassVar[int]
    FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    IMPLICIT_REWARD_FIELD_NUMBER: _ClassVar[int]
    LOGPROB_FIELD_NUMBER: _ClassVar[int]
    REWARDS_BY_SCORER_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_INDEX_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TOKEN_IDS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    denoised_reward: float
    finish_reason: str
    implicit_reward: float
    logprob: float
    reward: RewardVector
    rewards_by_scorer: _containers.RepeatedCompositeFieldContainer[RewardVector]
    sample_index: int
    text: str
    token_ids: _containers.RepeatedScalarFieldContainer[int]
    token_logprobs: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, text: _Optional[str] = ..., sample_index: _Optional[int] = ..., token_ids: _Optional[_Iterable[int]] = ..., token_logprobs: _Optional[_Iterable[float]] = ..., logprob: _Optional[float] = ..., finish_reason: _Optional[str] = ..., reward: _Optional[_Union[RewardVector, _Mapping]] = ..., rewards_by_scorer: _Optional[_Iterable[_Union[RewardVector, _Mapping]]] = ..., implicit_reward: _Optional[float] = ..., denoised_reward: _Optional[float] = ...) -> None: ...

class RewardVector(_message.Message):
    __slots__ = ["heads", "reward", "scorer_id", "scorer_version"]
    class HeadsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    HEADS_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    SCORER_ID_FIELD_NUMBER: _ClassVar[int]
    SCORER_VERSION_FIELD_NUMBER: _ClassVar[int]
    heads: _containers.ScalarMap[str, float]
    reward: float
    scorer_id: str
    scorer_version: str
    def __init__(self, reward: _Optional[float] = ..., heads: _Optional[_Mapping[str, float]] = ..., scorer_id: _Optional[str] = ..., scorer_version: _Optional[str] = ...) -> None: ...

class SelectionSummary(_message.Message):
    __slots__ = ["candidate_pairs", "fallbacks", "flat_prompts", "kept", "mean_chosen_reward", "mean_rejected_reward", "prompts", "routed_to_sft"]
    CANDIDATE_PAIRS_FIELD_NUMBER: _ClassVar[int]
    FALLBACKS_FIELD_NUMBER: _ClassVar[int]
    FLAT_PROMPTS_FIELD_NUMBER: _ClassVar[int]
    KEPT_FIELD_NUMBER: _ClassVar[int]
    MEAN_CHOSEN_REWARD_FIELD_NUMBER: _ClassVar[int]
    MEAN_REJECTED_REWARD_FIELD_NUMBER: _ClassVar[int]
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    ROUTED_TO_SFT_FIELD_NUMBER: _ClassVar[int]
    candidate_pairs: int
    fallbacks: int
    flat_prompts: int
    kept: int
    mean_chosen_reward: float
    mean_rejected_reward: float
    prompts: int
    routed_to_sft: int
    def __init__(self, prompts: _Optional[int] = ..., flat_prompts: _Optional[int] = ..., fallbacks: _Optional[int] = ..., candidate_pairs: _Optional[int] = ..., kept: _Optional[int] = ..., routed_to_sft: _Optional[int] = ..., mean_chosen_reward: _Optional[float] = ..., mean_rejected_reward: _Optional[float] = ...) -> None: ...

class StrategyOptions(_message.Message):
    __slots__ = ["chosen_position", "k", "pairs_per_prompt", "rejected_position", "sample_sigma", "seed", "strategy"]
    CHOSEN_POSITION_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    PAIRS_PER_PROMPT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_POSITION_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_SIGMA_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    chosen_position: str
    k: int
    pairs_per_prompt: int
    rejected_position: str
    sample_sigma: bool
    seed: int
    strategy: PairStrategy
    def __init__(self, strategy: _Optional[_Union[PairStrategy, str]] = ..., chosen_position: _Optional[str] = ..., rejected_position: _Optional[str] = ..., k: _Optional[int] = ..., pairs_per_prompt: _Optional[int] = ..., seed: _Optional[int] = ..., sample_sigma: bool = ...) -> None: ...

class Route(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class PairStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Aggregation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
