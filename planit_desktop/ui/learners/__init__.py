"""The Learners tab's actions and dialogs: corrections and history, support requests,
leavers, Create New User with the administrators' check, secondary passwords, export."""
