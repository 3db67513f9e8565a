"""The Qt user interface. It talks to the school database only through model services."""
