"""The warm runner of node --test: a server of pre-started workers in the sandbox."""
