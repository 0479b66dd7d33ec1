"""What voicesync remembers: the state file, its lock, and the journal that updates it mid-apply."""
