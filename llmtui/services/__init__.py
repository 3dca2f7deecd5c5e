"""Use cases shared by the CLI and the TUI. Every mutation validates, writes and audits
in one transaction. Nothing here imports Textual."""
