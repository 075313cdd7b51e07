from wordwrap import wrap

def test_empty():
    assert wrap('', 10) == []
