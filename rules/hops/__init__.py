"""AGL2xx: one agent's output handed to the next without a schema check."""
