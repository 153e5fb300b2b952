"""Errors the pipeline reports to a person as one line (the CLI prints them, exit code 2)."""


class PipelineError(Exception):
    """A problem with the user's input or configuration, stated in one line."""


class InputError(PipelineError):
    """A document that cannot be read as text (empty, binary, undecodable)."""


class SourceConfigError(PipelineError):
    """sources.toml or a snapshot's metadata is missing or invalid."""
