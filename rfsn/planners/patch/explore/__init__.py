"""What the model sees of a repository: its map (files, classes, function signatures) and
whole functions around a location."""
