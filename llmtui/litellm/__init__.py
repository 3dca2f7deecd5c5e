"""The LiteLLM adapter. Nothing here imports `litellm` at module level (about 4 s)."""
