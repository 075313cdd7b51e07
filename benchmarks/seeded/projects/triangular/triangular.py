def triangle(n):
    total = 0
    for k in range(1, n):
        total += k
    return total
