"""Errors the pipeline reports to a person as one line (the CLI prints them, exit code 2)."""

MAX_MESSAGE_CHARS = 400  # a line a person reads; what a document or server said is cut


class PipelineError(Exception):
    """A problem with the user's input or configuration, stated in one line.

    Whatever the message quotes (a document's columns, a server's words), it stays one line
    of at most :data:`MAX_MESSAGE_CHARS` characters.
    """

    def __init__(self, message: str) -> None:
        text = " ".join(message.split()) if "\n" in message or "\r" in message else message
        if len(text) > MAX_MESSAGE_CHARS:
            text = text[: MAX_MESSAGE_CHARS - 3] + "..."
        super().__init__(text)


class InputError(PipelineError):
    """A document that cannot be read as text (empty, binary, undecodable)."""


class SourceConfigError(PipelineError):
    """sources.toml or a snapshot's metadata is missing or invalid."""
