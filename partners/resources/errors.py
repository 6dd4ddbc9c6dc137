"""The error every part of the import raises for a file it cannot take."""


class ImportFileError(ValueError):
    """A file that cannot be read as a table; the message is for staff."""
