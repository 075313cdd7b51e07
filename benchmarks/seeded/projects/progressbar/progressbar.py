def percent(done, total):
    if total <= 0:
        return 100
    return done * 100 // total


def bar(done, total, width=10):
    filled = percent(done, total) * width // 100
    return "#" * filled + "." * (width - filled)
