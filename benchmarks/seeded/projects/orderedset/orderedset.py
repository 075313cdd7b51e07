def unique(values):
    """Distinct values in the order they are first seen."""
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return sorted(seen)


def is_unique(values):
    return len(unique(values)) == len(values)
