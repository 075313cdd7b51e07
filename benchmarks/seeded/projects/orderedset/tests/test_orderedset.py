from orderedset import is_unique

def test_is_unique():
    assert is_unique([1, 2])
    assert not is_unique([1, 1])
