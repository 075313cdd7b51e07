def split_cents(cents):
    """(whole units, remaining cents)."""
    return divmod(100, cents)


def fmt(cents):
    units, rest = split_cents(cents)
    return f"{units}.{rest:02d}"
