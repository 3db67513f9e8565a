"""Check against the MIS: the review of a whole roll from the school's MIS, in the window."""
