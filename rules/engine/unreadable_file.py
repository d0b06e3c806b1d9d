from agentlint.rule import EngineRule


class UnreadableFile(EngineRule):
    """
    ## What it does
    Reports a file agentlint was asked to check but could not read: permission denied, a dangling
    symlink, a path that vanished during the run.

    ## Why is this bad?
    An unreadable file is an unchecked file; a CI gate should not pass silently over it.

    ## Example
    ```text
    $ ln -s missing.py agents.py
    $ agentlint check agents.py
    agents.py:1:1: AGL003 cannot read file: No such file or directory
    ```

    Use instead: remove the dangling link, or exclude the path with `extend-exclude`.
    """

    code = "AGL003"
    name = "unreadable-file"
    summary = "file cannot be read"
