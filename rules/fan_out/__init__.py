"""AGL3xx: unbounded fan-out and retry amplification."""
