from progressbar import bar, percent

def test_half():
    assert percent(5, 10) == 50
    assert bar(5, 10) == '#####.....'
