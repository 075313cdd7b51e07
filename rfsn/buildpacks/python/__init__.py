"""The Python buildpack and what only it uses."""
