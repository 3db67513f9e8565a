"""The school's data and every rule about it. Imports no Qt, ever."""
