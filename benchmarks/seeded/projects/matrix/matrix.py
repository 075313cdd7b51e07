def transpose(m):
    rows, cols = len(m), len(m[0])
    return [[m[j][i] for i in range(rows)] for j in range(cols)]


def identity(n):
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]
