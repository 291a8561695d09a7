"""Errors a user can fix. The command line turns them into one line and exit status 2."""


class DataError(ValueError):
    """Bad input: the message says what is wrong and what to do."""
