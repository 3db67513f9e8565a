"""Pure validators for UK pupil data: no database, no Qt."""
