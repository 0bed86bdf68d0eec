"""The confirmation the destructive commands (`seed --flush`, `reset_local_data`) ask for."""


def confirmed(question):
    """Whether the person at the terminal answers `question` with "yes".

    No answer at all (input from /dev/null, a pipe that ended) is a no, and so is Ctrl-C at the
    question: Python's EOFError and KeyboardInterrupt ended the command in a traceback.
    """
    try:
        return input(f"{question} Type 'yes' to go on: ") == "yes"
    except (EOFError, KeyboardInterrupt):
        return False
