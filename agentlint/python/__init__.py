"""Python extraction: one libcst pass per file, agentlint's own name table, framework adapters."""
