"""A command's output stream that says it is a terminal, so progress bars are drawn."""

import io


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True
