from gridmove import neighbours

def test_neighbours():
    assert len(neighbours((0, 0))) == 4
