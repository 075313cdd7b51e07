"""The Rust buildpack and what only it uses."""
