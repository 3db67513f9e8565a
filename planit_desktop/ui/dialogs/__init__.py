"""Dialogs of the main window: new school, demo school, help."""
