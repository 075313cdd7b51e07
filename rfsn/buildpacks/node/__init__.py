"""The Node buildpack and what only it uses."""
