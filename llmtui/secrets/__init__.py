"""Master key, encryption of secrets at rest, and masking for display."""
