"""One module per capability. Each service takes a Session and the acting staff member."""
