from agentlint.rule import EngineRule


class InvalidSyntax(EngineRule):
    """
    ## What it does
    Reports a Python, YAML, JSON or TOML file that does not parse, at the position the parser gives.

    ## Why is this bad?
    agentlint cannot see the agents, calls and limits in a file it cannot parse, so none of its other
    rules checked that file. The rest of the project is still checked.

    ## Example
    ```python
    def plan(task:
        return task
    ```

    Use instead:
    ```python
    def plan(task):
        return task
    ```

    ## Known problems
    YAML, JSON and TOML files are parsed only when they look like the config of a framework agentlint
    understands (CrewAI `agents.yaml`/`tasks.yaml`, AutoGen component JSON, `langgraph.json`), so a
    syntax error elsewhere is not reported. Python syntax is judged by the running interpreter first and
    confirmed with libcst, which accepts grammar newer than the interpreter.
    """

    code = "AGL001"
    name = "syntax-error"
    summary = "file cannot be parsed"
