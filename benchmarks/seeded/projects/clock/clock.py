def to_seconds(text):
    h, m, s = (int(p) for p in text.split(":"))
    return h * 60 + m * 60 + s
