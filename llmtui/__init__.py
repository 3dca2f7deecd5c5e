"""llmtui: manage a LiteLLM proxy from the terminal."""

__version__ = "0.1.0"
