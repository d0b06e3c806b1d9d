from agentlint.findings import Severity
from agentlint.rule import EngineRule


class UnusedSuppression(EngineRule):
    """
    ## What it does
    Reports a suppression comment (or one of its codes) that suppressed no finding.

    ## Why is this bad?
    Stale suppressions pile up after fixes and later hide a new, real finding on the same line.

    ## Example
    ```python
    import requests

    requests.get("https://example.com", timeout=10)  # agentlint: ignore[AGL101]
    ```

    Use instead:
    ```python
    import requests

    requests.get("https://example.com", timeout=10)
    ```

    ## Known problems
    A suppression is only judged when the rules it names are enabled and its file was fully analysed;
    with `--select` narrowed to other rules, or in a file with a syntax error, it is left alone.
    """

    code = "AGL005"
    name = "unused-suppression"
    summary = "suppression comment suppresses nothing"
    severity = Severity.WARNING
