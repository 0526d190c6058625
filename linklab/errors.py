"""One exception type for everything a user can cause or fix: the CLI prints its message, never a traceback."""


class LinklabError(Exception):
    """A problem with a clear, user-facing message and a process exit code."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class ServerLostError(LinklabError):
    """A Neo4j server stopped answering in the middle of a command; the message says what state it left
    (the command line adds what to run next)."""


class NotFound(LinklabError):
    """Something the user named does not exist (an exercise, a case network): the web answers 404."""
