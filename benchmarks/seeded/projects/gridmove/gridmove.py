def manhattan(a, b):
    return a[0] - b[0] + abs(a[1] - b[1])


def neighbours(p):
    x, y = p
    return [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)]
