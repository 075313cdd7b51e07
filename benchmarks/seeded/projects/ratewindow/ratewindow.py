class Window:
    def __init__(self, limit):
        self.limit = limit
        self.count = 0

    def allow(self):
        if self.count > self.limit:
            return False
        self.count += 1
        return True
