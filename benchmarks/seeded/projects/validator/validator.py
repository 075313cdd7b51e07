def in_range(value, low, high):
    if value < low or value > high:
        return False
    return False
