"""The parser's token cursor: where it stands in the token list, and the errors it raises there."""

from __future__ import annotations

from .errors import OpeningHoursError
from .tokenizer import Token


class TokenCursor:
    """Reading position over a token list; both halves of the parser (parser, parser_times) build on it."""

    def __init__(self, tokens: list[Token], value: str, mode: int, notes: list[tuple[int, str]]) -> None:
        self.t = tokens
        self.i = 0
        self.n = len(tokens)
        self.value = value
        self.mode = mode
        self.notes = notes

    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.t[j] if j < self.n else None

    def kind(self, k: int = 0) -> str | None:
        tok = self.peek(k)
        return tok.kind if tok is not None else None

    def take(self) -> Token:
        tok = self.t[self.i]
        self.i += 1
        return tok

    def error(self, message: str, tok: Token | None = None) -> OpeningHoursError:
        if tok is None:
            tok = self.peek()
        pos = tok.pos if tok is not None else len(self.value)
        return OpeningHoursError(message, pos)

    def expect(self, kind: str, what: str) -> Token:
        tok = self.peek()
        if tok is None or tok.kind != kind:
            raise self.error(f"expected {what}")
        return self.take()
