from agentlint.rule import EngineRule


class UndecodableFile(EngineRule):
    """
    ## What it does
    Reports a file that is not text in its declared encoding: invalid UTF-8 (or invalid for the PEP 263
    coding cookie of a Python file), an unknown encoding name, or binary content with NUL bytes.

    ## Why is this bad?
    The interpreter refuses such a Python file, and agentlint cannot analyse it.

    ## Example
    ```python
    # -*- coding: klingon -*-
    import requests
    ```

    Use instead:
    ```python
    # -*- coding: utf-8 -*-
    import requests
    ```
    """

    code = "AGL002"
    name = "undecodable-file"
    summary = "file is not valid text in its encoding"
