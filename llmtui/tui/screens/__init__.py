"""Screens and modal dialogs; each `.py` has its styles in the `.tcss` beside it."""
