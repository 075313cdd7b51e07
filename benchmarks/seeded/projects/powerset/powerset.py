def subsets(items):
    """All subsets of ``items`` as lists, smaller indices first."""
    if not items:
        return []
    rest = subsets(items[1:])
    return rest + [[items[0]] + s for s in rest]


def count_subsets(n):
    return 2 ** n
