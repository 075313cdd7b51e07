from dedupe import collapse

def test_empty():
    assert collapse([]) == []
