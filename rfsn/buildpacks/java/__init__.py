"""The Java buildpack and what only it uses."""
