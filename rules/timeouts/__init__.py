"""AGL1xx: calls that can block forever (HTTP, LLM, tool, MCP, subprocess)."""
