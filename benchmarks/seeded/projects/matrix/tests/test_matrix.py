from matrix import identity

def test_identity():
    assert identity(2) == [[1, 0], [0, 1]]
