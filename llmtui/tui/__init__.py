"""The Textual app. Importing this package stays cheap: everything heavy loads lazily."""
