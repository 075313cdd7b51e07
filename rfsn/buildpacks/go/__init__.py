"""The Go buildpack and what only it uses."""
