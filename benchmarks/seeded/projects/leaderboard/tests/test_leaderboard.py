from leaderboard import best

def test_best():
    assert best({'a': 1, 'b': 3}) == 'b'
