from prefsuite.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DenoiseOptions(_message.Message):
    __slots__ = ["full_svd", "max_iterations", "sparse_weight", "tolerance"]
    FULL_SVD_FIELD_NUMBER: _ClassVar[int]
    MAX_ITERATIONS_FIELD_NUMBER: _ClassVar[int]
    SPARSE_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    TOLERANCE_FIELD_NUMBER: _ClassVar[int]
    full_svd: bool
    max_iterations: int
    sparse_weight: float
    tolerance: float
    def __init__(self, tolerance: _Optional[float] = ..., max_iterations: _Optional[int] = ..., sparse_weight: _Optional[float] = ..., full_svd: bool = ...) -> None: ...

class DenoiseRequest(_message.Message):
    __slots__ = ["matrix", "options"]
    MATRIX_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    matrix: _common_pb2.Matrix
    options: DenoiseOptions
    def __init__(self, matrix: _Optional[_Union[_common_pb2.Matrix, _Mapping]] = ..., options: _Optional[_Union[DenoiseOptions, _Mapping]] = ...) -> None: ...

class DenoiseResponse(_message.Message):
    __slots__ = ["low_rank", "report", "scores", "sparse"]
    LOW_RANK_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    SPARSE_FIELD_NUMBER: _ClassVar[int]
    low_rank: _common_pb2.Matrix
    report: _common_pb2.DenoiseReport
    scores: _containers.RepeatedScalarFieldContainer[float]
    sparse: _common_pb2.Matrix
    def __init__(self, low_rank: _Optional[_Union[_common_pb2.Matrix, _Mapping]] = ..., sparse: _Optional[_Union[_common_pb2.Matrix, _Mapping]] = ..., scores: _Optional[_Iterable[float]] = ..., report: _Optional[_Union[_common_pb2.DenoiseReport, _Mapping]] = ...) -> None: ...
