"""PySide6 windows, dialogs and Qt models: they call services and never touch SQL."""
