from stopwatch import Lap

def test_label():
    assert Lap(1, 2).label() == 'lap 1.0'
