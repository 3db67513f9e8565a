"""Importing new learners from the File menu: template, preview, commit, passwords out."""
