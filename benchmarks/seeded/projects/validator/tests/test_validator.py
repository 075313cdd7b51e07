from validator import in_range

def test_out():
    assert not in_range(0, 1, 10)
