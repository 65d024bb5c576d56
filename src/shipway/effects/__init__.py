"""Layer 3: the thin, dull parts that touch the world (processes, files, terminals, PATH)."""
