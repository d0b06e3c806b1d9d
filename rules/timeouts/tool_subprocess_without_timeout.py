from collections.abc import Iterator

from agentlint.findings import Finding, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import Call, CallKind
from agentlint.rule import GraphRule
from agentlint.rules.timeouts._unbounded import primary, unbounded_calls


class ToolSubprocessWithoutTimeout(GraphRule):
    """
    ## What it does
    Reports a child process started without a time limit (`subprocess.run`, `call`, `check_call`,
    `check_output`, `Popen.communicate`, `Popen.wait` without `timeout=`, or with `timeout=None`) inside
    a function an agent waits on: a tool (`@tool` from LangChain or CrewAI, `@function_tool` from the
    OpenAI Agents SDK, smolagents' `@tool`, or any function an agent lists in its tools: Pydantic AI's
    `@agent.tool`, AutoGen's and LlamaIndex's `tools=[fn]`) or a LangGraph node.

    ## Why is this bad?
    Agents run shell commands, linters, test suites and converters as tools. A command that waits on
    stdin, a network mount or a lock never returns, and the agent, the graph step and the orchestrator
    waiting on it hang with it. A subprocess timeout kills the child and raises, which the agent can
    handle.

    ## Example
    ```python
    import subprocess

    from langchain_core.tools import tool


    @tool
    def run_tests(path: str) -> str:
        \"\"\"Run the project's tests and return the report.\"\"\"
        return subprocess.run(["pytest", path], capture_output=True, text=True).stdout
    ```

    Use instead:
    ```python
    import subprocess

    from langchain_core.tools import tool


    @tool
    def run_tests(path: str) -> str:
        \"\"\"Run the project's tests and return the report.\"\"\"
        return subprocess.run(["pytest", path], capture_output=True, text=True, timeout=300).stdout
    ```

    ## Known problems
    Only functions registered with one of those decorators, listed in an agent's tools, or added as
    LangGraph nodes are considered; a plain function a tool calls is not followed. `asyncio.create_subprocess_exec` is not
    covered yet.
    """

    code = "AGL104"
    name = "tool-subprocess-without-timeout"
    summary = "child process without a timeout in a function an agent waits on"
    severity = Severity.ERROR

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        node_functions = {graph.resolve(node.function) for pipeline in graph.graphs for node in pipeline.nodes
                          if node.function}
        agent_tools = {graph.resolve(tool): agent.name or agent.id.rsplit(".", 1)[-1]
                       for agent in graph.agents for tool in agent.tools}
        for call in unbounded_calls(graph, CallKind.SUBPROCESS):
            role = _role(graph, call, node_functions, agent_tools)
            if role is None:
                continue
            yield self.finding(
                primary(call.timeout, call.location),
                f"`{call.target}` in {role} can wait forever: {call.timeout.detail}",
                fix_title="Pass `timeout=` with a number of seconds",
                anchor=call.id,
            )


def _role(graph: PipelineGraph, call: Call, node_functions: set[str], agent_tools: dict[str, str]) -> str | None:
    function = call.scope.replace(":", ".")
    facts = graph.function(function)
    name = function.rsplit(".", 1)[-1]
    if function in agent_tools:
        return f"tool `{name}` of agent `{agent_tools[function]}`"
    if facts is not None and facts.tool:
        return f"tool `{name}`"
    if function in node_functions:
        return f"graph node function `{name}`"
    return None
