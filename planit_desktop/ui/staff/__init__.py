"""The Staff Access tab's parts: the group assignment editor, its actions, and the view of
access removed at the last rollover."""
