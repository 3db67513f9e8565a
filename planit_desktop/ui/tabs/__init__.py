"""The main window's tabs: Year End, Learners, Groups, Staff Access, Subjects."""
