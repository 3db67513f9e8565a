"""The Groups tab's dialogs, its actions, and what they record for Edit ▸ Undo."""
