from agentlint.findings import Severity
from agentlint.ir import Call, CallKind, Client
from agentlint.rules.timeouts._unbounded import TimeoutRule


class McpCallWithoutTimeout(TimeoutRule):
    """
    ## What it does
    Reports an MCP `ClientSession` opened over a stdio transport without `read_timeout_seconds`, whose
    requests (`call_tool`, `list_tools`, ...) are not otherwise bounded, and any MCP request made with
    `read_timeout_seconds=None`.

    ## Why is this bad?
    Over stdio, an MCP request waits for the tool server's answer with no limit at all. A tool server
    that deadlocks, or a tool that waits on something slow, freezes the agent that called it and the
    orchestrator waiting on that agent. (The SSE and streamable-HTTP transports have a 300 s read
    timeout of their own.)

    ## Example
    ```python
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command="search-server")


    async def search(query: str):
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await session.call_tool("search", {"q": query})
    ```

    Use instead:
    ```python
    from datetime import timedelta

    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command="search-server")


    async def search(query: str):
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write, read_timeout_seconds=timedelta(seconds=30)) as session:
                await session.initialize()
                return await session.call_tool("search", {"q": query})
    ```

    ## Known problems
    The transport is recognised only when `stdio_client` (or an HTTP client) is opened in the same
    function as the session; a session built from streams passed in is left alone. Requests under
    `asyncio.timeout`/`anyio.fail_after` are bounded.
    """

    code = "AGL103"
    name = "mcp-call-without-timeout"
    summary = "MCP request over stdio that can wait forever"
    severity = Severity.ERROR

    category = CallKind.MCP

    def client_message(self, client: Client) -> str:
        return f"MCP session `{client.id}` has no read timeout: {client.timeout.detail}"

    def client_fix(self, client: Client) -> str:
        return "Pass `read_timeout_seconds=timedelta(seconds=...)` to the session"

    def call_fix(self, call: Call) -> str:
        return "Pass a finite `read_timeout_seconds=`"
