def wrap(text, width):
    """Greedy word wrap: lines no longer than ``width`` (words longer stay whole)."""
    lines, current = [], ""
    for word in text.split():
        size = word
        if current and len(current) + 1 + size > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines
