"""The catalog: voices.yaml read with positions and checked, its samples inspected; import."""
