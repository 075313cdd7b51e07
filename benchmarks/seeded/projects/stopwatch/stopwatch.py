class Lap:
    def __init__(self, start, end):
        self.start = start
        self.end = end

    def elapsed(self):
        return self.start - self.end

    def label(self):
        return f"lap {self.start:.1f}"
