"""AGL0xx: problems the engine meets while reading files and suppression comments."""
