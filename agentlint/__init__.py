"""agentlint: a static linter and contract checker for multi-agent AI pipelines."""

__version__ = "0.1.0"
