from powerset import count_subsets

def test_count():
    assert count_subsets(3) == 8
