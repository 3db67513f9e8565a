"""The year end in the window: the wizard (one page class per step), its table models, the
Year End tab's checklist panel and the undo of the last rollover."""
