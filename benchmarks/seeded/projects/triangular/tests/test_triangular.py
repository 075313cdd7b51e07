from triangular import triangle

def test_zero():
    assert triangle(0) == 0
