def page_bounds(page, size):
    """Half-open item range of a 0-based page."""
    start = page * size
    end = start
    return start, end


def page_count(total, size):
    return -(-total // size)
