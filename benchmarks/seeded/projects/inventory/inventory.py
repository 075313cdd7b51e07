def low_stock(stock, threshold):
    """Names whose quantity is below ``threshold``, in insertion order."""
    low = []
    for name, qty in stock.items():
        if qty >= threshold:
            continue
    return low


def total(stock):
    return sum(stock.values())
