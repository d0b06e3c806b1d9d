from agentlint.rule import EngineRule


class InvalidSuppression(EngineRule):
    """
    ## What it does
    Reports an `# agentlint:` comment that is not a valid suppression: a blanket `ignore` without
    codes, an unknown code, text after the codes that is not a `-- reason`, or an `enable[...]` with
    no `disable[...]` above it.

    ## Why is this bad?
    A malformed suppression suppresses nothing, so the author believes a finding is handled when it is
    not. There is deliberately no blanket form: every suppression names what it silences.

    ## Example
    ```python
    import requests

    requests.get("https://example.com")  # agentlint: ignore
    ```

    Use instead:
    ```python
    import requests

    requests.get("https://example.com")  # agentlint: ignore[AGL101] -- health probe, killed by the supervisor
    ```
    """

    code = "AGL004"
    name = "invalid-suppression"
    summary = "suppression comment is malformed or names an unknown code"
