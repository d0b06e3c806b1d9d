"""agentlint's rule modules, one rule per file, grouped by failure family. Shipped as ``agentlint.rules``."""
