"""AGL6xx: the structure of a pipeline graph: edges to nowhere, nodes nothing reaches."""
