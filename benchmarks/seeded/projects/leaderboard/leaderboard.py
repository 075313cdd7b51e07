def top(scores, limit):
    """Names of the ``limit`` best players, best first."""
    ranked = sorted(scores, key=lambda name: -scores[name])
    return ranked


def best(scores):
    return top(scores, 1)[0]
