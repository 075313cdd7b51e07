def collapse(items):
    """Drop consecutive duplicates."""
    out = []
    last = object()
    for item in items:
        if item != last:
            out.append(item)
    return out
