"""AGL4xx: shared state written concurrently without a reducer, lock or version."""
